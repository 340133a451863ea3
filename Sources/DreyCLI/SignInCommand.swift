import ArgumentParser
import DreyApp
import DreyCore
import Foundation

/// `drey signin …`: how readers may sign in — OpenID Connect providers, email, their website.
struct SignInCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signin", abstract: "Choose how readers sign in: OpenID Connect providers, email, their website (IndieAuth).",
        subcommands: [OIDC.self, List.self, Remove.self, Email.self, IndieAuth.self])

    struct OIDC: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "oidc", abstract: "OpenID Connect providers.", subcommands: [Add.self])

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Add an OpenID Connect provider (or replace the one of that name).",
                discussion: "The provider's redirect URI for this blog is HOME_URL/signin/oidc/NAME/callback.")
            @OptionGroup var common: CommonOptions
            @Argument(help: "The provider's name: shown on its button and part of its addresses (letters, digits, dashes).") var name: String
            @Option(help: "The issuer URL, e.g. https://accounts.google.com.") var issuer: String
            @Option(name: .customLong("client-id"), help: "The client ID the provider gave this blog.") var clientID: String
            @Option(name: .customLong("client-secret"), help: "The client secret ('-' reads it from standard input).") var clientSecret: String

            func run() async throws {
                try await Self.failing {
                    let secret =
                        clientSecret == "-"
                        ? (try readText("-")).trimmingCharacters(in: .whitespacesAndNewlines) : clientSecret
                    try await common.withDrey { drey in
                        let site = try drey.sites.site(named: common.site)
                        let provider: SignInProvider
                        do {
                            provider = try await drey.signin.addProvider(
                                siteID: site.id, name: name, issuer: issuer, clientID: clientID, clientSecret: secret)
                        } catch let error as SettingError {
                            throw CLIError(error.message)
                        }
                        let base = site.settings.homeURL.isEmpty ? "http://\(site.host)" : site.settings.homeURL
                        Console.print(
                            "provider \(provider.name) (\(provider.issuer)) added; its redirect URI is \(base)/signin/oidc/\(provider.name)/callback")
                    }
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the sign-in methods and providers (secrets are never printed).")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            try await Self.failing {
                try await common.withDrey { drey in
                    let site = try drey.sites.site(named: common.site)
                    let email = SignInCommand.emailKey.map { site.settings[$0] == "1" ? "on" : "off" } ?? "unavailable"
                    Console.print("email\t\(email)")
                    Console.print("indieauth\t\(site.settings.signinIndieAuth ? "on" : "off")")
                    for p in try await drey.signin.providers(siteID: site.id) {
                        Console.print("oidc\t\(p.name)\t\(p.issuer)\tclient \(p.clientID)")
                    }
                }
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove an OpenID Connect provider; its readers keep their accounts.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The provider's name.") var name: String

        func run() async throws {
            try await Self.failing {
                try await common.withDrey { drey in
                    let site = try drey.sites.site(named: common.site)
                    guard try await drey.signin.removeProvider(siteID: site.id, name: name) else {
                        throw CLIError("there is no provider called '\(name)'; `drey signin list` shows them")
                    }
                    Console.print("provider \(name.lowercased()) removed")
                }
            }
        }
    }

    struct Email: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Let readers sign in by email (on) or not (off).")
        @OptionGroup var common: CommonOptions
        @Argument(help: "on or off.") var state: Switch

        func run() async throws {
            try await Self.failing {
                guard let key = SignInCommand.emailKey else { throw CLIError("email sign-in is not available in this version") }
                try await SignInCommand.set(key, state, common: common)
            }
        }
    }

    struct IndieAuth: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "indieauth", abstract: "Let readers sign in with their own website, IndieAuth (on) or not (off).")
        @OptionGroup var common: CommonOptions
        @Argument(help: "on or off.") var state: Switch

        func run() async throws {
            try await Self.failing { try await SignInCommand.set(.signinIndieAuth, state, common: common) }
        }
    }

    enum Switch: String, ExpressibleByArgument, CaseIterable { case on, off }

    /// The readers' email sign-in setting, when this build has it.
    static var emailKey: SettingKey? { SettingKey(rawValue: "signin_email") }

    static func set(_ key: SettingKey, _ state: Switch, common: CommonOptions) async throws {
        try await common.withDrey { drey in
            let site = try drey.sites.site(named: common.site)
            try await drey.siteService.set([key: state == .on ? "1" : "0"], siteID: site.id)
            Console.print("\(key.rawValue) = \(state.rawValue)")
        }
    }
}
