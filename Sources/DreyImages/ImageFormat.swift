/// The image formats Drey accepts; anything else (SVG, PDF, TIFF…) is refused at upload.
public enum ImageFormat: String, Sendable, Codable, CaseIterable {
    case jpeg, png, webp, gif, heif

    /// The libvips loader that reads the format; the loader libvips picks from the file's bytes decides the format.
    init?(loader: String) {
        let name = loader.lowercased()
        if name.hasPrefix("vipsforeignloadjpeg") {
            self = .jpeg
        } else if name.hasPrefix("vipsforeignloadpng") {
            self = .png
        } else if name.hasPrefix("vipsforeignloadwebp") {
            self = .webp
        } else if name.hasPrefix("vipsforeignloadnsgif") || name.hasPrefix("vipsforeignloadgif") {
            self = .gif
        } else if name.hasPrefix("vipsforeignloadheif") {
            self = .heif
        } else {
            return nil
        }
    }

    public var mimeType: String {
        switch self {
        case .jpeg: return "image/jpeg"
        case .png: return "image/png"
        case .webp: return "image/webp"
        case .gif: return "image/gif"
        case .heif: return "image/heif"
        }
    }

    public var fileExtension: String {
        switch self {
        case .jpeg: return "jpg"
        case .png: return "png"
        case .webp: return "webp"
        case .gif: return "gif"
        case .heif: return "heic"
        }
    }

    /// What resized copies are written as: browsers do not show HEIC, so those become JPEG.
    public var webFormat: ImageFormat { self == .heif ? .jpeg : self }

    /// The libvips save suffix with options: metadata stripped, WordPress's JPEG quality.
    var saveSuffix: String {
        switch self {
        case .jpeg, .heif: return ".jpg[Q=82,strip,optimize_coding]"
        case .png: return ".png[compression=6,strip]"
        case .webp: return ".webp[Q=80,strip]"
        case .gif: return ".gif[strip]"
        }
    }

    var hasAlpha: Bool { self != .jpeg && self != .heif }
}
