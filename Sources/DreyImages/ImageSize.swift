/// One of the copies made of each upload, named as WordPress names them.
public struct ImageSize: Sendable, Equatable, Codable {
    public var name: String
    /// The box the copy fits in; with `crop` it fills the box and the overflow is cut.
    public var width: Int
    public var height: Int
    public var crop: Bool

    public init(name: String, width: Int, height: Int, crop: Bool = false) {
        self.name = name
        self.width = width
        self.height = height
        self.crop = crop
    }

    public static let thumbnail = ImageSize(name: "thumbnail", width: 150, height: 150, crop: true)
    public static let medium = ImageSize(name: "medium", width: 300, height: 300)
    public static let large = ImageSize(name: "large", width: 1024, height: 1024)
    /// The original as served: WordPress's `big_image_size_threshold`, so a 24-megapixel photo is not sent whole.
    public static let full = ImageSize(name: "full", width: 2560, height: 2560)

    public static let standard: [ImageSize] = [.thumbnail, .medium, .large]
}
