import DreyImages
import Foundation
import Testing

@Suite("Image processing with libvips")
struct ImageProcessorTests {
    let processor = ImageProcessor()

    @Test("a large JPEG gets WordPress's sizes, capped at 2560, each as JPEG and WebP")
    func sizes() async throws {
        let file = try ImageFixtures.write(try SyntheticImage.make(width: 3000, height: 2000, format: .jpeg), "photo.jpg")
        let result = try await processor.process(file: file)
        #expect(result.info == ImageInfo(format: .jpeg, width: 3000, height: 2000, pages: 1))
        #expect(result.width == 2560 && result.height == 1707)
        let expected: [String: (Int, Int)] = ["full": (2560, 1707), "large": (1024, 683), "medium": (300, 200), "thumbnail": (150, 150)]
        #expect(Set(result.renditions.map(\.size)) == Set(expected.keys))
        for rendition in result.renditions {
            let facts = try ImageFacts(data: rendition.data)
            let (w, h) = try #require(expected[rendition.size])
            #expect(facts.width == w && facts.height == h, "\(rendition.size) \(rendition.format)")
            #expect(rendition.width == w && rendition.height == h)
            #expect(facts.format == rendition.format)
        }
        #expect(Set(result.renditions.map(\.format)) == [.jpeg, .webp])
        #expect(result.renditions.count == 8)
    }

    @Test("a small PNG is not enlarged: only its full size, keeping transparency")
    func smallPNG() throws {
        let file = try ImageFixtures.write(try SyntheticImage.make(width: 120, height: 90, format: .png, alpha: true), "small.png")
        let result = try processor.process(file: file)
        #expect(result.renditions.map(\.size) == ["full", "full"])
        #expect(result.renditions.map(\.format) == [.png, .webp])
        let png = try ImageFacts(data: result.renditions[0].data)
        #expect(png.width == 120 && png.height == 90 && png.format == .png)
    }

    @Test("EXIF orientation is applied, then every byte of metadata (the GPS position) is gone")
    func rotationAndGPS() throws {
        let photo = SyntheticImage.withEXIF(try SyntheticImage.make(width: 1600, height: 1200, format: .jpeg))
        let before = try ImageFacts(data: photo)
        #expect(before.orientation == 6 && before.hasEXIF)
        #expect(SyntheticImage.contains(photo, SyntheticImage.gpsLatitude))
        let result = try processor.process(file: try ImageFixtures.write(photo, "phone.jpg"))
        #expect(result.width == 1200 && result.height == 1600)
        for rendition in result.renditions {
            let facts = try ImageFacts(data: rendition.data)
            #expect(facts.width < facts.height || rendition.size == "thumbnail", "\(rendition.size) is upright")
            #expect(!facts.hasEXIF && !facts.hasXMP && !facts.hasIPTC && facts.orientation == 1)
            #expect(!SyntheticImage.contains(rendition.data, SyntheticImage.gpsLatitude))
            #expect(!SyntheticImage.contains(rendition.data, Array("Exif".utf8)))
        }
    }

    @Test("a GIF keeps its original bytes as the full size; smaller sizes are stills")
    func gif() throws {
        let gif = try SyntheticImage.make(width: 400, height: 300, format: .gif)
        let result = try processor.process(file: try ImageFixtures.write(gif, "anim.gif"))
        let full = try #require(result.renditions.first { $0.size == "full" && $0.format == .gif })
        #expect(full.data == gif)
        let medium = try #require(result.renditions.first { $0.size == "medium" && $0.format == .gif })
        let facts = try ImageFacts(data: medium.data)
        #expect(facts.width == 300 && facts.height == 225 && facts.format == .gif)
    }

    @Test("HEIC from a phone becomes JPEG and WebP")
    func heic() throws {
        let heic = try SyntheticImage.make(width: 640, height: 480, format: .heif)
        let result = try processor.process(file: try ImageFixtures.write(heic, "IMG_0001.heic"))
        #expect(result.info.format == .heif)
        #expect(Set(result.renditions.map(\.format)) == [.jpeg, .webp])
    }

    @Test("a decompression bomb is refused from its header, without decoding")
    func bomb() throws {
        let bomb = SyntheticImage.declaring(try SyntheticImage.make(width: 64, height: 64, format: .jpeg), width: 50_000, height: 50_000)
        let file = try ImageFixtures.write(bomb, "bomb.jpg")
        let started = ContinuousClock.now
        #expect {
            try processor.process(file: file)
        } throws: { error in
            (error as? ImageError)?.kind == .tooLarge && "\(error)".contains("50000 × 50000")
        }
        #expect(ContinuousClock.now - started < .seconds(2))
    }

    @Test("a truncated JPEG is refused as damaged")
    func truncated() throws {
        let jpeg = try SyntheticImage.make(width: 800, height: 600, format: .jpeg)
        let file = try ImageFixtures.write(jpeg.prefix(jpeg.count / 2), "cut.jpg")
        #expect {
            try processor.process(file: file)
        } throws: { error in
            (error as? ImageError)?.kind == .damaged
        }
    }

    @Test(
        "text, an SVG with a script, and a PDF are not images Drey takes",
        arguments: [
            ("notes.jpg", "just some words, not an image\n"),
            ("logo.svg", "<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'><script>alert(1)</script></svg>"),
            ("paper.pdf", "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"),
        ])
    func notImages(name: String, content: String) throws {
        let file = try ImageFixtures.write(Data(content.utf8), name)
        #expect {
            try processor.process(file: file)
        } throws: { error in
            (error as? ImageError)?.kind == .unsupported && "\(error)".contains("not an image")
        }
    }
}
