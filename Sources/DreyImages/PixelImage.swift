import CVips
import Foundation

/// Images drawn by the blog itself from computed pixels (a generated face for clients that show no SVG).
public enum PixelImage {
    /// `rgb` holds `width`×`height` pixels, three bytes each, row by row; the answer is a PNG.
    public static func png(width: Int, height: Int, rgb: [UInt8]) throws(ImageError) -> Data {
        guard Vips.started else { throw ImageError(.failed, "the image library could not start", detail: Vips.takeError()) }
        guard width > 0, height > 0, rgb.count == width * height * 3 else { throw ImageError(.failed, "the pixels do not fill the image") }
        let made = rgb.withUnsafeBytes {
            drey_vips_from_pixels($0.baseAddress, $0.count, Int32(width), Int32(height), 3)
        }
        guard let made else { throw ImageError(.failed, "could not make an image", detail: Vips.takeError()) }
        return try VipsHandle(made).encode(".png")
    }
}
