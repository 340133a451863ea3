import ArgumentParser
import DreyApp
import DreyCore
import Foundation

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Load a demo blog shaped like the reference page (neutral generated text).")

    @OptionGroup var common: CommonOptions
    @Flag(help: "Do nothing when the site already has posts (for `make run`).") var ifEmpty = false

    func run() async throws {
        try await Self.failing {
            try await common.withDrey { drey in
                let site = try drey.sites.site(named: common.site)
                let summary = try await DemoLoader(drey: drey, siteID: site.id).load(ifEmpty: ifEmpty)
                Console.print(summary)
            }
        }
    }
}
