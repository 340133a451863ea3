import ArgumentParser
import DreyApp
import DreyCore
import DreyJobs
import Foundation

struct MediaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "media", abstract: "Upload images, list, describe and delete them.",
        subcommands: [Add.self, List.self, SetText.self, Delete.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Upload images: each is checked, stored under the uploads folder by year and month, and resized.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Image files (JPEG, PNG, WebP, GIF, HEIC).") var files: [String]
        @Option(help: "Alternative text, read aloud in place of the image.") var alt: String = ""
        @Option(help: "A title (default: from the file name).") var title: String = ""
        @Option(help: "A caption.") var caption: String = ""
        @Option(help: "ID of the post the images belong to.") var post: Int64?
        @Flag(help: "Leave the resizing to the job workers of a running `drey serve` (or `drey jobs run`).") var queue = false

        func run() async throws {
            try await Self.failing {
                guard !files.isEmpty else { throw CLIError("give at least one image file") }
                for path in files where !FileManager.default.isReadableFile(atPath: path) {
                    throw CLIError("cannot read \(path)")
                }
                try await common.withDrey { drey in
                    let site = try drey.sites.site(named: common.site)
                    var failures = 0
                    for path in files {
                        let url = URL(fileURLWithPath: path)
                        let upload = MediaService.Upload(
                            file: url, name: url.lastPathComponent, title: title, altText: alt, caption: caption, postID: post)
                        do {
                            var media = try await drey.media.add(upload, siteID: site.id)
                            if !queue {
                                do {
                                    media = try await drey.media.process(mediaID: media.id, siteID: site.id) ?? media
                                } catch let failure as JobFailure {
                                    media = try await drey.store.media(id: media.id, siteID: site.id) ?? media
                                    if media.state != .failed { throw CLIError("\(path): \(failure)") }
                                }
                            }
                            switch media.state {
                            case .failed:
                                failures += 1
                                FileHandle.standardError.write(Data("drey: \(path): \(media.stateMessage)\n".utf8))
                            case .processing, .ready:
                                print("media \(media.id)\t/wp-content/uploads/\(media.file)\t\(media.width)x\(media.height)\t\(media.state.rawValue)")
                            }
                        } catch let error as MediaError {
                            failures += 1
                            FileHandle.standardError.write(Data("drey: \(error)\n".utf8))
                        }
                    }
                    if failures > 0 { throw ExitCode.failure }
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List uploads, newest first.")
        @OptionGroup var common: CommonOptions
        @Option(help: "Only those whose title, file, alt text or caption contains this.") var search: String = ""
        @Flag(help: "One JSON object a line.") var json = false

        func run() async throws {
            try await Self.failing {
                try await common.withDrey { drey in
                    let site = try drey.sites.site(named: common.site)
                    for media in try await drey.media.library(siteID: site.id, search: search, limit: 1000) {
                        if json {
                            let line = MediaLine(
                                id: media.id, file: media.file, title: media.title, alt: media.altText, state: media.state.rawValue,
                                width: media.width, height: media.height, sizes: media.renditions.map(\.file))
                            let encoder = JSONEncoder()
                            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                            print(String(decoding: try encoder.encode(line), as: UTF8.self))
                        } else {
                            print("\(media.id)\t\(media.file)\t\(media.width)x\(media.height)\t\(media.state.rawValue)\t\(media.title)")
                        }
                    }
                }
            }
        }
    }
}

extension MediaCommand {
    struct SetText: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set", abstract: "Change an upload's alt text, title or caption.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The upload's ID (see `drey media list`).") var id: Int64
        @Option(help: "Alternative text.") var alt: String?
        @Option(help: "Title.") var title: String?
        @Option(help: "Caption.") var caption: String?

        func run() async throws {
            try await Self.failing {
                try await common.withDrey { drey in
                    let site = try drey.sites.site(named: common.site)
                    guard let media = try await drey.store.media(id: id, siteID: site.id) else { throw CLIError("there is no upload \(id)") }
                    try await drey.media.update(
                        media, title: title ?? media.title, altText: alt ?? media.altText, caption: caption ?? media.caption)
                    print("media \(id) updated")
                }
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete an upload and every size made of it.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The upload's ID.") var id: Int64
        @Flag(help: "Delete even when posts show it.") var force = false

        func run() async throws {
            try await Self.failing {
                try await common.withDrey { drey in
                    let site = try drey.sites.site(named: common.site)
                    guard let media = try await drey.store.media(id: id, siteID: site.id) else { throw CLIError("there is no upload \(id)") }
                    let using = try await drey.store.postsUsing(media)
                    if !using.isEmpty, !force {
                        let names = using.map { "\($0.id) “\($0.title)”" }.joined(separator: ", ")
                        throw CLIError("upload \(id) is used by post \(names); add --force to delete it anyway")
                    }
                    try await drey.media.delete(media)
                    print("media \(id) deleted")
                }
            }
        }
    }
}

struct MediaLine: Encodable {
    var id: Int64
    var file: String
    var title: String
    var alt: String
    var state: String
    var width: Int
    var height: Int
    var sizes: [String]
}
