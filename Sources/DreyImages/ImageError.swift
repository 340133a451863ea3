/// Why a file cannot be taken as an image; `description` is said to the person who uploaded it.
public struct ImageError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// No image format Drey accepts (a text file, an SVG, a PDF…).
        case unsupported
        /// The header declares more pixels than the limit: a decompression bomb, or a scan too large to serve.
        case tooLarge
        /// Truncated or corrupt data.
        case damaged
        /// The image library failed for a reason of its own (out of memory, say).
        case failed
    }

    public var kind: Kind
    public var description: String
    /// libvips's own words, for the log.
    public var detail: String

    init(_ kind: Kind, _ description: String, detail: String = "") {
        self.kind = kind
        self.description = description
        self.detail = detail
    }
}
