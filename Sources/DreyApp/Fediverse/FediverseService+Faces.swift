import DreyCore
import DreyImages
import Foundation

extension FediverseService {
    /// Makes a remote actor's face from their icon, once per icon address: fetched through the safe fetcher (its body
    /// cap applies), an image type only, re-encoded as a reader's picture is (a small copy without metadata), stored
    /// under a random name in the faces folder. Pages show that copy and never the other server's image; a missing or
    /// bad icon leaves the blog's generated face. Never fails the work it rides on.
    func refreshFace(_ site: Site, actor: RemoteActor) async {
        guard let folder = facesDirectory else { return }
        do {
            let current = try await store.remoteActorFace(uri: actor.uri)
            // Tried already (made, or found bad): a new address is a new icon.
            if let current, current.icon == actor.icon { return }
            var face = ""
            if !actor.icon.isEmpty { face = (try? await makeFace(site, icon: actor.icon, folder: folder)) ?? "" }
            try await store.setRemoteActorFace(uri: actor.uri, face: face, icon: actor.icon)
            if let old = current?.face, !old.isEmpty, old != face {
                try? FileManager.default.removeItem(at: folder.appendingPathComponent(old))
            }
        } catch {
            logger.notice("a fediverse face could not be made: \(error)", metadata: ["actor": "\(actor.uri)"])
        }
    }

    struct NotAnImage: Error, CustomStringConvertible {
        let description: String
    }

    private func makeFace(_ site: Site, icon: String, folder: URL) async throws -> String {
        let response = try await fetcher.fetch(
            FetchRequest(url: icon, headers: [("Accept", "image/webp,image/png,image/jpeg,image/gif")], allow: site.settings.fetchAllow))
        let type = (response.header("Content-Type") ?? "").lowercased()
        // SVG is an image that runs scripts in some viewers; the processor does not read it either.
        guard response.status == 200, type.hasPrefix("image/"), !type.contains("svg") else {
            throw NotAnImage(description: "the icon answered \(response.status) \(type)")
        }
        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("drey-face-\(UUID().uuidString)")
        try Data(response.body).write(to: temporary)
        defer { try? FileManager.default.removeItem(at: temporary) }
        let processor = ImageProcessor(sizes: [], full: ImageSize(name: "face", width: 192, height: 192, crop: true))
        let processed: ProcessedImage
        do {
            processed = try await processor.process(file: temporary)
        } catch {
            throw NotAnImage(description: "the icon is not an image: \(error.description)")
        }
        let web = processed.info.format.webFormat
        guard
            let copy = processed.renditions.first(where: { $0.format == web && web != .gif })
                ?? processed.renditions.first(where: { $0.format == .webp })
        else { throw NotAnImage(description: "the icon could not be re-encoded") }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let name = ReaderService.randomHex(16) + "." + copy.format.fileExtension
        try copy.data.write(to: folder.appendingPathComponent(name), options: .atomic)
        return name
    }
}
