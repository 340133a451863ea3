import Logging
import NIOSSL
import PostgresNIO

/// `sslmode` and `sslrootcert` of a `DATABASE_URL`, with libpq's meanings, so that a URL written for `psql`
/// secures Drey's connections exactly as much: never less.
struct PostgresTLS {
    enum Kind { case disable, prefer, require }

    let kind: Kind
    let configuration: TLSConfiguration

    /// Without a mode, libpq prefers TLS; `require` insists on it without checking the certificate (unless a root
    /// certificate is named, when it checks the chain as `verify-ca` does); `verify-ca` checks the chain,
    /// `verify-full` the chain and the host name.
    init(sslmode: String?, rootCertificate: String?) throws {
        var config = TLSConfiguration.makeClientConfiguration()
        if let rootCertificate, !rootCertificate.isEmpty, rootCertificate != "system" {
            config.trustRoots = .file(rootCertificate)
        }
        switch sslmode ?? "prefer" {
        case "disable":
            kind = .disable
        case "allow", "prefer":
            // Opportunistic: encrypt when the server can, as libpq does, without checking whom we talk to.
            config.certificateVerification = .none
            kind = .prefer
        case "require":
            config.certificateVerification = rootCertificate == nil ? .none : .noHostnameVerification
            kind = .require
        case "verify-ca":
            config.certificateVerification = .noHostnameVerification
            kind = .require
        case "verify-full":
            config.certificateVerification = .fullVerification
            kind = .require
        case let other:
            throw StoreError.invalid(
                "DATABASE_URL has sslmode=\(other.prefix(40)); use disable, allow, prefer, require, verify-ca or verify-full")
        }
        configuration = config
    }

    var client: PostgresClient.Configuration.TLS {
        switch kind {
        case .disable: return .disable
        case .prefer: return .prefer(configuration)
        case .require: return .require(configuration)
        }
    }

    /// One direct connection with the pool's settings: a refused certificate or a server without TLS fails here at
    /// once with its reason, where the pool would keep retrying until its lease timed out.
    func probe(
        host: String, port: Int, username: String, password: String?, database: String?, connectTimeout: Int64?, logger: Logger
    ) async throws {
        let tls: PostgresConnection.Configuration.TLS
        switch kind {
        case .disable: tls = .disable
        case .prefer: tls = .prefer(try NIOSSLContext(configuration: configuration))
        case .require: tls = .require(try NIOSSLContext(configuration: configuration))
        }
        var config = PostgresConnection.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls)
        if let connectTimeout { config.options.connectTimeout = .seconds(connectTimeout) }
        let connection = try await PostgresConnection.connect(configuration: config, id: 0, logger: logger)
        try await connection.close()
    }
}
