import Foundation

extension AppConfig {
    /// `DREY_SPAM_SEED_DIR`, else `./Resources/spam-seed`, else beside the binary or a few folders up,
    /// else the source tree the binary was built in: the corpus ships with the source, as themes do.
    public static func defaultSpamSeedDirectory() -> String {
        resourceDirectory(env: "DREY_SPAM_SEED_DIR", relative: "Resources/spam-seed", marker: "README.md")
    }

    /// Finds a folder that ships with the source: an environment override, the working folder,
    /// the binary's folder and its parents, then the source tree this file was compiled from.
    static func resourceDirectory(env: String, relative: String, marker: String) -> String {
        if let value = ProcessInfo.processInfo.environment[env], !value.isEmpty { return value }
        let fm = FileManager.default
        if fm.fileExists(atPath: relative + "/" + marker) { return relative }
        var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            let candidate = dir.appendingPathComponent(relative)
            if fm.fileExists(atPath: candidate.appendingPathComponent(marker).path) { return candidate.path }
            dir = dir.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(relative).path
    }
}
