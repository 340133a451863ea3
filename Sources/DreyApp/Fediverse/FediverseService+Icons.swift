import DreyCore
import DreyImages
import DreyRender
import Foundation

extension FediverseService {
    /// The actor's icon as a PNG file: the face the blog makes for it (the SVG identicon's pattern and colour), drawn
    /// once into `uploads/fediverse-icons` and served from there. Nil for an actor that does not exist here.
    public func iconFile(_ site: Site, _ actor: FediverseActor) async throws -> URL? {
        guard site.settings.fediverseEnabled, let faces = facesDirectory else { return nil }
        let key: String
        switch actor {
        case .blog: key = Avatar.localKey(email: "blog@" + FediverseIDs(site: site).domain, secret: site.settings.secret)
        case .author(let userID):
            guard let user = try await author(site, userID: userID) else { return nil }
            key = Avatar.localKey(email: user.email, secret: site.settings.secret)
        case .application: return nil
        }
        let folder = faces.deletingLastPathComponent().appendingPathComponent("fediverse-icons")
        let file = folder.appendingPathComponent(key + ".png")
        if FileManager.default.fileExists(atPath: file.path) { return file }
        let (size, rgb) = Avatar.identiconPixels(key: key)
        let png = try PixelImage.png(width: size, height: size, rgb: rgb)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try png.write(to: file, options: .atomic)
        return file
    }
}
