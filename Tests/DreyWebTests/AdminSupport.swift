import DreyCore
import DreyTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore

@testable import DreyApp
@testable import DreyWeb

/// A browser's worth of state for the admin: cookies and the CSRF token of the last page.
struct AdminSession {
    let client: any TestClientProtocol
    var cookies: [String: String] = [:]
    var csrf = ""

    init(client: any TestClientProtocol) { self.client = client }

    var cookieHeader: String { cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ") }

    mutating func absorb(_ response: TestResponse) {
        for field in response.headers where field.name == .setCookie {
            let pair = field.value.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
            if pair.count == 2 { cookies[String(pair[0])] = String(pair[1]) } else if pair.count == 1 { cookies[String(pair[0])] = nil }
            if field.value.contains("Max-Age=0") { cookies[String(pair[0])] = nil }
        }
        let text = String(buffer: response.body)
        if let r = text.range(of: "name=\"_csrf\" value=\"") {
            csrf = String(text[r.upperBound...].prefix { $0 != "\"" })
        }
    }

    @discardableResult
    mutating func get(_ uri: String) async throws -> TestResponse {
        var headers: HTTPFields = [.xForwardedHost: TestBlog.host]
        if !cookies.isEmpty { headers[.cookie] = cookieHeader }
        let response = try await client.execute(uri: uri, method: .get, headers: headers, body: nil)
        absorb(response)
        return response
    }

    /// POSTs a form with the current CSRF token unless the fields carry their own.
    @discardableResult
    mutating func post(_ uri: String, _ fields: [(String, String)], csrf useToken: Bool = true) async throws -> TestResponse {
        var headers: HTTPFields = [.xForwardedHost: TestBlog.host, .contentType: "application/x-www-form-urlencoded"]
        if !cookies.isEmpty { headers[.cookie] = cookieHeader }
        let all = (useToken ? [("_csrf", csrf)] : []) + fields
        let body = all.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        let response = try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
        absorb(response)
        return response
    }

    static func encode(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_.~"))) ?? ""
    }

    /// Signs in through the real form.
    mutating func signIn(_ email: String, _ password: String) async throws -> TestResponse {
        try await get("/admin/login")
        return try await post("/admin/login", [("email", email), ("password", password)])
    }
}

extension TestBlog {
    /// A member of the site with a password, for admin tests.
    func member(_ role: Role, _ name: String, password: String = "password-\(UUID().uuidString.prefix(4))") async throws -> (User, String) {
        let user = try await drey.users.add(
            email: "\(name)@blog.test", name: name.capitalized, login: name, role: role, password: password, siteID: site.id)
        return (user, password)
    }
}
