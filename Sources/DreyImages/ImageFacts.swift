import CVips
import Foundation

/// What an encoded image carries, read back with libvips: for tests and checks that metadata is gone.
public struct ImageFacts: Sendable, Equatable {
    public var format: ImageFormat?
    public var width: Int
    public var height: Int
    /// The EXIF orientation (1 when absent or upright).
    public var orientation: Int
    public var hasEXIF: Bool
    public var hasXMP: Bool
    public var hasIPTC: Bool
    public var hasICC: Bool

    public init(data: Data) throws(ImageError) {
        guard Vips.started else { throw ImageError(.failed, "the image library could not start", detail: Vips.takeError()) }
        // libvips reads the bytes where they are, without copying them: the image is made, read and released
        // while they are known to be there.
        let read = data.withUnsafeBytes { bytes -> (ImageFormat?, Int, Int, Int, Bool, Bool, Bool, Bool)? in
            guard let opened = drey_vips_open_buffer(bytes.baseAddress, bytes.count) else { return nil }
            let image = VipsHandle(opened)
            let loader = drey_vips_loader_of_buffer(bytes.baseAddress, bytes.count)
            let format = loader.flatMap { ImageFormat(loader: String(cString: $0).replacingOccurrences(of: "Buffer", with: "")) }
            return withExtendedLifetime(image) {
                (
                    format, image.width, image.height, image.orientation, image.has("exif-data"), image.has("xmp-data"),
                    image.has("iptc-data"), image.has("icc-profile-data")
                )
            }
        }
        guard let read else { throw ImageError(.unsupported, "not an image", detail: Vips.takeError()) }
        (format, width, height, orientation, hasEXIF, hasXMP, hasIPTC, hasICC) = read
    }
}

/// Images made from computed pixels: test fixtures and benchmark inputs without files from elsewhere.
public enum SyntheticImage {
    /// A `width`×`height` RGB (or RGBA) gradient with some noise, so encoders do real work, encoded as `format`.
    public static func make(width: Int, height: Int, format: ImageFormat, alpha: Bool = false, seed: UInt32 = 1) throws(ImageError) -> Data {
        guard Vips.started else { throw ImageError(.failed, "the image library could not start", detail: Vips.takeError()) }
        let bands = alpha ? 4 : 3
        var pixels = [UInt8](repeating: 0, count: width * height * bands)
        var noise = seed | 1
        for y in 0..<height {
            for x in 0..<width {
                noise ^= noise << 13
                noise ^= noise >> 17
                noise ^= noise << 5
                let i = (y * width + x) * bands
                pixels[i] = UInt8(truncatingIfNeeded: x * 255 / max(1, width - 1))
                pixels[i + 1] = UInt8(truncatingIfNeeded: y * 255 / max(1, height - 1))
                pixels[i + 2] = UInt8(truncatingIfNeeded: 128 &+ Int(noise & 31))
                if alpha { pixels[i + 3] = UInt8(truncatingIfNeeded: 128 + (x & 127)) }
            }
        }
        let made = pixels.withUnsafeBytes {
            drey_vips_from_pixels($0.baseAddress, $0.count, Int32(width), Int32(height), Int32(bands))
        }
        guard let made else { throw ImageError(.failed, "could not make an image", detail: Vips.takeError()) }
        let suffix: String
        switch format {
        case .jpeg: suffix = ".jpg[Q=90]"
        case .png: suffix = ".png"
        case .webp: suffix = ".webp"
        case .gif: suffix = ".gif"
        case .heif: suffix = ".heic"
        }
        return try VipsHandle(made).encode(suffix)
    }
}
