import DreyCore
import DreyStore
import Foundation

extension ImportSession {
    func importAuthor(_ a: WXRAuthor) async throws {
        summary[.authors].inFile += 1
        var login = a.login
        if login.isEmpty {
            let base = a.displayName.isEmpty ? String(a.email.split(separator: "@").first ?? "") : a.displayName
            login = Slug.make(from: base)
            guard !login.isEmpty else {
                summary.skip(.authors, "no login, name or email")
                summary.warn("author at line \(a.line) has no login, name or email; skipped (their posts get the default author)")
                return
            }
            summary.warn("author “\(a.displayName.isEmpty ? a.email : a.displayName)” (line \(a.line)) has no login; using “\(login)”")
        }
        guard authorsByLogin[login.lowercased()] == nil else {
            summary.skip(.authors, "login given twice")
            summary.warn("author “\(login)” (line \(a.line)) appears twice; the first entry is used")
            return
        }
        let id = try await user(login: login, email: a.email, displayName: a.displayName, wpAuthorID: a.id, kind: .authors)
        authorsByLogin[a.login.isEmpty ? login.lowercased() : a.login.lowercased()] = id
        authorsByDreyLogin[Self.drey(login: login)] = id
        if firstAuthor == nil { firstAuthor = id }
        if let wpID = a.id { authorsByWPID[wpID] = id }
    }

    /// The user for an item's `dc:creator`, creating one for a login no `wp:author` declared.
    func author(of item: WXRItem) async throws -> Int64 {
        let login = item.creator.trimmingCharacters(in: .whitespacesAndNewlines)
        if let id = authorsByLogin[login.lowercased()] { return id }
        // Hand-edited exports misspell a declared login (`>themereviewteam`): the same account.
        if !login.isEmpty, let id = authorsByDreyLogin[Self.drey(login: login)] {
            authorsByLogin[login.lowercased()] = id
            return id
        }
        if login.isEmpty {
            let id = try await defaultAuthor()
            summary.warn("\(item.label) names no author; credited to \(authorLogins[id] ?? "the site's first author")")
            return id
        }
        summary[.creators].inFile += 1
        let id = try await user(login: login, email: "", displayName: login, wpAuthorID: nil, kind: .creators)
        authorsByLogin[login.lowercased()] = id
        return id
    }

    /// The author of items that name nobody: the file's first author, else the site's first
    /// publishing member, else a new account.
    func defaultAuthor() async throws -> Int64 {
        if let fallbackAuthor { return fallbackAuthor }
        let id: Int64
        if let first = firstAuthor {
            id = first
        } else if let member = try await writer.publishingMembers().first {
            id = member.id
            authorLogins[id] = member.login
        } else {
            id = try await user(login: "wordpress", email: "", displayName: "WordPress", wpAuthorID: nil, kind: .creators)
        }
        fallbackAuthor = id
        return id
    }

    /// Finds the account by email (a placeholder one for authors without an email, so a second
    /// run finds it again) or creates it without a password; gives it a role on the site.
    func user(login rawLogin: String, email rawEmail: String, displayName: String, wpAuthorID: Int64?, kind: ImportSummary.Kind) async throws -> Int64
    {
        let login = Self.drey(login: rawLogin)
        let email = Self.isEmail(rawEmail) ? rawEmail.lowercased() : "\(login)@imported.invalid"
        if let existing = try await writer.user(email: email) {
            try await writer.addMember(userID: existing.id, role: .author, wpAuthorID: wpAuthorID)
            summary[kind].existing += 1
            authorLogins[existing.id] = existing.login
            return existing.id
        }
        var unique = login
        var n = 2
        while try await writer.user(login: unique) != nil {
            unique = "\(login)-\(n)"
            n += 1
        }
        if unique != login {
            summary.warn("author “\(rawLogin)”: the login is taken by another account (another email); created as “\(unique)”")
        }
        let name = displayName.isEmpty ? rawLogin : displayName
        let created = try await writer.createUser(User(email: email, login: unique, displayName: String(name.prefix(100)), passwordHash: ""))
        try await writer.addMember(userID: created.id, role: .author, wpAuthorID: wpAuthorID)
        summary[kind].imported += 1
        summary.createdUsers.append("\(unique) <\(email)> \(name)")
        authorLogins[created.id] = unique
        return created.id
    }

    /// A login Drey can put in `/author/LOGIN/`: WordPress's when it is plain, otherwise a slug of it.
    static func drey(login: String) -> String {
        let lower = login.lowercased()
        if !lower.isEmpty, lower.count <= 60,
            lower.unicodeScalars.allSatisfy({
                ($0.isASCII && CharacterSet.alphanumerics.contains($0)) || "-_.".unicodeScalars.contains($0)
            })
        {
            return lower
        }
        let slug = Slug.make(from: login)
        return slug.isEmpty ? "author" : String(slug.prefix(60))
    }

    static func isEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && text.count <= 254
            && !text.contains(where: { $0.isWhitespace || "<>()[]\\,;:\"".contains($0) })
    }
}
