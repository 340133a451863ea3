import DreyCore
import Foundation
import SQLKit

extension SQLStore: SignInStore {
    static let providerColumns = ["id", "site_id", "name", "issuer", "client_id", "client_secret", "created_at"]
    static let providerColumnList = ColumnList(providerColumns)

    static func provider(_ row: any SQLRow) throws -> SignInProvider {
        SignInProvider(
            id: try row.int64("id"), siteID: try row.int64("site_id"), name: try row.string("name"), issuer: try row.string("issuer"),
            clientID: try row.string("client_id"), clientSecret: try row.string("client_secret"), createdAt: try row.date("created_at"))
    }

    public func signInProviders(siteID: Int64) async throws -> [SignInProvider] {
        try await read { db in
            try await db.select().column(Self.providerColumnList).from("signin_providers").where("site_id", .equal, SQLBind(siteID))
                .orderBy("name").all().map(Self.provider)
        }
    }

    public func signInProvider(siteID: Int64, name: String) async throws -> SignInProvider? {
        try await read { db in
            try await db.select().column(Self.providerColumnList).from("signin_providers").where("site_id", .equal, SQLBind(siteID))
                .where("name", .equal, SQLBind(name)).first().map(Self.provider)
        }
    }

    public func saveSignInProvider(_ provider: SignInProvider) async throws {
        try await write { db in
            try await db.delete(from: "signin_providers").where("site_id", .equal, SQLBind(provider.siteID))
                .where("name", .equal, SQLBind(provider.name)).run()
            try await db.insert(into: "signin_providers").columns("site_id", "name", "issuer", "client_id", "client_secret", "created_at")
                .values(
                    SQLBind(provider.siteID), SQLBind(provider.name), SQLBind(provider.issuer), SQLBind(provider.clientID),
                    SQLBind(provider.clientSecret), SQLBind(provider.createdAt.storable)
                ).run()
        }
    }

    public func removeSignInProvider(siteID: Int64, name: String) async throws -> Bool {
        try await write { db in
            try await db.delete(from: "signin_providers").where("site_id", .equal, SQLBind(siteID)).where("name", .equal, SQLBind(name))
                .returning("id").all().count > 0
        }
    }

    public func saveSignInFlow(_ flow: SignInFlow) async throws {
        try await write { db in
            try await db.insert(into: "signin_flows")
                .columns("state_hash", "site_id", "method", "provider", "browser_hash", "verifier", "nonce", "return_to", "data", "expires_at")
                .values(
                    SQLBind(flow.stateHash), SQLBind(flow.siteID), SQLBind(flow.method.rawValue), SQLBind(flow.provider),
                    SQLBind(flow.browserHash), SQLBind(flow.verifier), SQLBind(flow.nonce), SQLBind(flow.returnTo), SQLBind(flow.data),
                    SQLBind(flow.expiresAt.storable)
                ).run()
        }
    }

    public func takeSignInFlow(siteID: Int64, stateHash: String) async throws -> SignInFlow? {
        // DELETE … RETURNING: of two callbacks racing with one state, only one gets the row.
        try await write { db in
            try await db.delete(from: "signin_flows").where("state_hash", .equal, SQLBind(stateHash)).where("site_id", .equal, SQLBind(siteID))
                .returning("state_hash", "site_id", "method", "provider", "browser_hash", "verifier", "nonce", "return_to", "data", "expires_at")
                .first().map { row in
                    SignInFlow(
                        stateHash: try row.string("state_hash"), siteID: try row.int64("site_id"),
                        method: try row.enumValue("method", as: SignInFlow.Method.self), provider: try row.string("provider"),
                        browserHash: try row.string("browser_hash"), verifier: try row.string("verifier"), nonce: try row.string("nonce"),
                        returnTo: try row.string("return_to"), data: try row.string("data"), expiresAt: try row.date("expires_at"))
                }
        }
    }

    public func pruneSignInFlows(before date: Date) async throws -> Int {
        try await write { db in
            try await db.delete(from: "signin_flows").where("expires_at", .lessThan, SQLBind(date)).returning("state_hash").all().count
        }
    }
}
