import DreyStore
import DreyTestSupport
import Foundation
import Logging
import SQLKit
import Testing

/// `sslmode` on `DATABASE_URL` means what it means to libpq, against a real PostgreSQL with TLS
/// (`make test` starts it with a certificate from a CA of its own).
@Suite struct PostgresTLSTests {
    static let logger: Logger = {
        var l = Logger(label: "tls-test")
        l.logLevel = .critical
        return l
    }()

    /// Whether the connection `url` opens is encrypted, as the server sees it.
    func encrypted(_ url: String) async throws -> Bool {
        let db = try await Database.open(url: url, logger: Self.logger)
        let ssl = try await db.withSQL {
            try await $0.raw("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").first(decodingColumn: "ssl", as: Bool.self)
        }
        await db.close()
        return ssl ?? false
    }

    @Test("require encrypts without checking, verify-full checks the CA and refuses a wrong one, disable stays plain")
    func modes() async throws {
        let env = ProcessInfo.processInfo.environment
        let admin = try #require(env["DREY_TEST_POSTGRES_URL"], "run with make test, which starts PostgreSQL with TLS")
        let ca = try #require(env["DREY_TEST_PG_CA"], "run with make test, which makes the test CA")
        let otherCA = try #require(env["DREY_TEST_PG_OTHER_CA"])
        // The server's certificate is signed by a CA no system trusts: `require` must still connect, encrypted.
        #expect(try await encrypted(admin + "?sslmode=require"))
        #expect(try await encrypted(admin))  // libpq's default is prefer
        #expect(try await !encrypted(admin + "?sslmode=disable"))
        let byName = admin.replacingOccurrences(of: "@127.0.0.1:", with: "@localhost:")
        #expect(try await encrypted(byName + "?sslmode=verify-full&sslrootcert=" + ca))
        #expect(try await encrypted(admin + "?sslmode=verify-ca&sslrootcert=" + ca))
        await #expect(throws: (any Error).self, "a certificate from another CA was accepted") {
            _ = try await Database.open(url: byName + "?sslmode=verify-full&sslrootcert=" + otherCA, logger: Self.logger)
        }
        await #expect(throws: (any Error).self, "verify-full trusted a CA nobody configured") {
            _ = try await Database.open(url: byName + "?sslmode=verify-full", logger: Self.logger)
        }
        do {
            _ = try await Database.open(url: admin + "?sslmode=sometimes", logger: Self.logger)
            Issue.record("an unknown sslmode was accepted")
        } catch {
            #expect("\(error)".contains("sslmode=sometimes"))
        }
    }
}
