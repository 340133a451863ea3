import ArgumentParser
import DreyApp
import DreyCore
import Foundation

struct SiteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "site", abstract: "Read and change a site's settings.", subcommands: [Get.self, Set.self])

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print every setting with its value, or one setting's value.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "A setting name; all settings when omitted.") var key: String?

        func run() async throws {
            try await Self.failing {
                try await common.withDrey { drey in
                    let site = try drey.sites.site(named: common.site)
                    if let key {
                        guard let setting = SettingKey(rawValue: key), !setting.isInternal else {
                            throw CLIError("unknown setting '\(key)'; run `drey site get` to list them")
                        }
                        Console.print(site.settings[setting])
                    } else {
                        Console.print("host\t\(site.host)")
                        for setting in SettingKey.allCases where !setting.isInternal {
                            Console.print("\(setting.rawValue)\t\(site.settings[setting].replacingOccurrences(of: "\n", with: "\\n"))")
                        }
                    }
                }
            }
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change one setting (validated; pages refresh at once).")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The setting name.") var key: String
        @Argument(help: "The new value.") var value: String

        func run() async throws {
            try await Self.failing {
                guard let setting = SettingKey(rawValue: key), !setting.isInternal else {
                    throw CLIError("unknown setting '\(key)'; run `drey site get` to list them")
                }
                try await common.withDrey { drey in
                    let site = try drey.sites.site(named: common.site)
                    try await drey.siteService.set([setting: value], siteID: site.id)
                    Console.print("\(setting.rawValue) = \(drey.sites.site(id: site.id)?.settings[setting] ?? value)")
                }
            }
        }
    }
}

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "user", abstract: "Manage accounts.", subcommands: [Add.self, Password.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a user with a role on the site.")
        @OptionGroup var common: CommonOptions
        @Option(help: "Email address (the sign-in name).") var email: String
        @Option(help: "Display name.") var name: String
        @Option(help: "administrator, editor, author, contributor or subscriber.") var role: String
        @Option(help: "Password (at least 8 characters); without one the account cannot sign in yet.") var password: String?
        @Option(help: "Login used in author URLs (default: from the email).") var login: String?

        func run() async throws {
            try await Self.failing {
                guard let role = Role(rawValue: role.lowercased()) else {
                    throw CLIError("unknown role '\(role)'; use one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                try await common.withDrey { drey in
                    let site = try drey.sites.site(named: common.site)
                    let user = try await drey.users.add(
                        email: email, name: name, login: login, role: role, password: password, siteID: site.id)
                    Console.print("user \(user.id) \(user.login) <\(user.email)> is \(role.rawValue) of \(site.host)")
                }
            }
        }
    }

    struct Password: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set an account's password; its sessions and outstanding reset links end.")
        @OptionGroup var common: CommonOptions
        @Option(help: "The account's email address.") var email: String
        @Option(help: "The new password (at least 8 characters).") var password: String

        func run() async throws {
            try await Self.failing {
                guard password.count >= 8 else { throw CLIError("--password must be at least 8 characters") }
                try await common.withDrey { drey in
                    guard let user = try await drey.store.user(email: email.trimmingCharacters(in: .whitespaces)) else {
                        throw CLIError("no account has the address '\(email)'")
                    }
                    try await drey.auth.setPassword(password, userID: user.id)
                    try await drey.auth.signOutEverywhere(userID: user.id)
                    Console.print("password of \(user.email) changed; its sessions and reset links have ended")
                }
            }
        }
    }
}
