import CVips
import Foundation

/// What a file's header says, read without decoding its pixels.
public struct ImageInfo: Sendable, Equatable {
    public var format: ImageFormat
    public var width: Int
    public var height: Int
    /// Frames of an animated GIF or WebP; 1 for a still image.
    public var pages: Int

    public init(format: ImageFormat, width: Int, height: Int, pages: Int) {
        self.format = format
        self.width = width
        self.height = height
        self.pages = pages
    }
}

/// One encoded copy of an upload.
public struct Rendition: Sendable, Equatable {
    public var size: String
    public var format: ImageFormat
    public var width: Int
    public var height: Int
    public var data: Data
}

/// An upload made ready to serve: the upright, metadata-free copies of every size, each in the original's
/// web format and in WebP.
public struct ProcessedImage: Sendable {
    public var info: ImageInfo
    /// Width and height of the served original, after rotation and the 2,560-pixel cap.
    public var width: Int
    public var height: Int
    public var renditions: [Rendition]
}

/// Reads uploads with libvips and writes the sizes a theme serves.
public struct ImageProcessor: Sendable {
    /// Images whose header declares more pixels than this are refused before any decoding (100 megapixels:
    /// well above any camera's photo, far below what a 50,000 × 50,000 bomb would make libvips allocate).
    public var maxPixels: Int
    public var sizes: [ImageSize]
    public var full: ImageSize

    public init(maxPixels: Int = 100_000_000, sizes: [ImageSize] = ImageSize.standard, full: ImageSize = .full) {
        self.maxPixels = maxPixels
        self.sizes = sizes
        self.full = full
    }

    /// The format and declared size of the image in `file`, or why it is not one Drey takes.
    public func inspect(file: URL) throws(ImageError) -> ImageInfo {
        guard Vips.started else { throw ImageError(.failed, "the image library could not start", detail: Vips.takeError()) }
        guard let loader = drey_vips_loader_of_file(file.path) else {
            _ = Vips.takeError()
            throw ImageError(.unsupported, "this file is not an image Drey can use (JPEG, PNG, WebP, GIF or HEIC)")
        }
        let loaderName = String(cString: loader)
        guard let format = ImageFormat(loader: loaderName) else {
            throw ImageError(
                .unsupported, "this file is not an image Drey can use (JPEG, PNG, WebP, GIF or HEIC)",
                detail: "loader \(loaderName)")
        }
        guard let opened = drey_vips_open(file.path) else {
            throw ImageError(.damaged, "the image is damaged or incomplete", detail: Vips.takeError())
        }
        let image = VipsHandle(opened)
        let info = ImageInfo(format: format, width: image.width, height: image.height, pages: max(1, image.pages))
        guard info.width > 0, info.height > 0 else { throw ImageError(.damaged, "the image is damaged or incomplete") }
        guard info.width.multipliedReportingOverflow(by: info.height).partialValue <= maxPixels,
            info.width <= maxPixels, info.height <= maxPixels
        else {
            throw ImageError(
                .tooLarge,
                "the image declares \(info.width) × \(info.height) pixels, more than the \(maxPixels / 1_000_000) megapixels Drey accepts"
            )
        }
        return info
    }

    /// `inspect(file:)`, then a decode of the whole file at a small scale (cheap: JPEG decodes at an eighth),
    /// which finds a truncated or corrupt file while the uploader still waits for an answer.
    public func verify(file: URL) throws(ImageError) -> ImageInfo {
        let info = try inspect(file: file)
        guard let small = drey_vips_thumbnail_file(file.path, 64, 64) else { throw Self.decodeError() }
        defer { drey_vips_unref(small) }
        guard let decoded = drey_vips_copy_memory(small) else { throw Self.decodeError() }
        drey_vips_unref(decoded)
        return info
    }

    /// Decodes `file` once (first frame, rotated upright from its EXIF orientation, damage refused), then
    /// encodes every size with all metadata stripped. A GIF's original bytes are kept as its full size, so an
    /// animation still plays; its smaller sizes are stills of the first frame.
    public func process(file: URL) throws(ImageError) -> ProcessedImage {
        let info = try inspect(file: file)
        guard let thumbnailed = drey_vips_thumbnail_file(file.path, Int32(full.width), Int32(full.height)) else {
            throw Self.decodeError()
        }
        // Decoding happens here, whole: a truncated file fails now, before anything is written.
        guard let decoded = drey_vips_copy_memory(thumbnailed) else {
            drey_vips_unref(thumbnailed)
            throw Self.decodeError()
        }
        drey_vips_unref(thumbnailed)
        // Upright already: the orientation tag goes with the rest, and copies made from this carry none.
        drey_vips_remove_metadata(decoded)
        let master = VipsHandle(decoded)
        let web = info.format.webFormat
        var renditions: [Rendition] = []
        if info.format == .gif {
            guard let original = try? Data(contentsOf: file) else {
                throw ImageError(.failed, "the image could not be read")
            }
            renditions.append(Rendition(size: full.name, format: .gif, width: info.width, height: info.height, data: original))
            renditions.append(try encode(master, size: full.name, as: .webp))
        } else {
            renditions += try encodeBoth(master, size: full.name, web: web)
        }
        for size in sizes where master.width > size.width || master.height > size.height {
            guard let resized = drey_vips_thumbnail_image(master.pointer, Int32(size.width), Int32(size.height), size.crop ? 1 : 0)
            else { throw ImageError(.failed, "the image could not be resized", detail: Vips.takeError()) }
            renditions += try encodeBoth(VipsHandle(resized), size: size.name, web: web)
        }
        let width = info.format == .gif ? info.width : master.width
        let height = info.format == .gif ? info.height : master.height
        return ProcessedImage(info: info, width: width, height: height, renditions: renditions)
    }

    /// `process(file:)` on a thread of its own: a large photo holds its thread for a second or more, which on
    /// Swift's cooperative pool would stall every request sharing it.
    public func process(file: URL) async throws(ImageError) -> ProcessedImage {
        try await Self.onOwnThread { () throws(ImageError) in try self.process(file: file) }
    }

    /// `verify(file:)` on a thread of its own.
    public func verify(file: URL) async throws(ImageError) -> ImageInfo {
        try await Self.onOwnThread { () throws(ImageError) in try self.verify(file: file) }
    }

    static func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws(ImageError) -> T) async throws(ImageError) -> T {
        let result: Result<T, ImageError> = await withCheckedContinuation { continuation in
            let thread = Thread {
                do throws(ImageError) {
                    continuation.resume(returning: .success(try work()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
            thread.name = "drey-images"
            thread.start()
        }
        return try result.get()
    }

    private func encodeBoth(_ image: VipsHandle, size: String, web: ImageFormat) throws(ImageError) -> [Rendition] {
        var out = [try encode(image, size: size, as: web)]
        if web != .webp { out.append(try encode(image, size: size, as: .webp)) }
        return out
    }

    private func encode(_ image: VipsHandle, size: String, as format: ImageFormat) throws(ImageError) -> Rendition {
        var source = image
        if !format.hasAlpha, image.hasAlpha {
            guard let flat = drey_vips_flatten_white(image.pointer) else {
                throw ImageError(.failed, "the image could not be converted", detail: Vips.takeError())
            }
            source = VipsHandle(flat)
        }
        var data = try source.encode(format.saveSuffix)
        if format == .webp { data = WebPChunks.removingMetadata(data) }
        return Rendition(size: size, format: format, width: source.width, height: source.height, data: data)
    }

    private static func decodeError() -> ImageError {
        ImageError(.damaged, "the image is damaged or incomplete", detail: Vips.takeError())
    }
}
