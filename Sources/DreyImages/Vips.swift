import CVips
import Foundation

/// libvips, started once per process. Its calls are thread-safe; callers keep them off Swift's cooperative
/// threads (see `ImageProcessor.process(file:)`), as one decode may hold a thread for a second.
enum Vips {
    static let started: Bool = drey_vips_start() == 0

    /// The error libvips recorded, cleared for the next call. The buffer is shared by every thread, so under
    /// concurrent failures a message may carry a neighbour's words too; it is only logged.
    static func takeError() -> String {
        defer { drey_vips_error_clear() }
        guard let text = drey_vips_error() else { return "" }
        return String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// An image handle that lets go of its reference when dropped.
final class VipsHandle {
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) { self.pointer = pointer }

    deinit { drey_vips_unref(pointer) }

    var width: Int { Int(drey_vips_width(pointer)) }
    var height: Int { Int(drey_vips_height(pointer)) }
    var pages: Int { Int(drey_vips_pages(pointer)) }
    var hasAlpha: Bool { drey_vips_has_alpha(pointer) != 0 }
    var orientation: Int { Int(drey_vips_orientation(pointer)) }
    func has(_ field: String) -> Bool { drey_vips_has_field(pointer, field) != 0 }

    func encode(_ suffix: String) throws(ImageError) -> Data {
        var buffer: UnsafeMutableRawPointer? = nil
        var length = 0
        guard drey_vips_save(pointer, suffix, &buffer, &length) == 0, let buffer else {
            throw ImageError(.failed, "the image could not be saved", detail: Vips.takeError())
        }
        defer { drey_vips_free(buffer) }
        return Data(bytes: buffer, count: length)
    }
}
