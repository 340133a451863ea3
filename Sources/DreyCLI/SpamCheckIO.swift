import DreyApp
import DreyCore
import Foundation

/// One line of `drey spam check` input: a comment as JSON.
struct SpamCheckInput: Decodable {
    var author: String?
    var email: String?
    var url: String?
    var ip: String?
    var userAgent: String?
    var text: String?
    var post: Int64?

    enum CodingKeys: String, CodingKey {
        case author, email, url, ip, text, post
        case userAgent = "user_agent"
    }

    struct Problem: Error {
        let message: String
    }

    static func parse(_ line: String) throws(Problem) -> SpamCheckInput {
        let input: SpamCheckInput
        do {
            input = try JSONDecoder().decode(SpamCheckInput.self, from: Data(line.utf8))
        } catch DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw Problem(message: "\"\(field)\" has the wrong type (post is a number, the rest are strings)")
        } catch {
            throw Problem(message: "not a JSON object")
        }
        guard input.text != nil else { throw Problem(message: "missing \"text\"") }
        return input
    }

    var submission: CommentSubmission {
        var s = CommentSubmission(postID: post ?? 0, authorName: author ?? "", email: email ?? "", url: url ?? "", text: text ?? "")
        s.ip = ip ?? ""
        s.userAgent = userAgent ?? ""
        return s
    }
}

/// One line of `drey spam check` output.
struct SpamCheckOutput: Encodable {
    var verdict: String?
    var score: Double?
    var reasons: [String]?
    var error: String?

    init(verdict: SpamVerdict) {
        self.verdict = verdict.decision.rawValue
        self.score = verdict.score.map { ($0 * 10000).rounded() / 10000 }
        self.reasons = verdict.reasons
    }

    init(error: String) { self.error = error }

    enum CodingKeys: String, CodingKey { case verdict, score, reasons, error }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        if let error {
            try c.encode(error, forKey: .error)
            return
        }
        try c.encode(verdict, forKey: .verdict)
        try c.encode(score, forKey: .score)  // null when nothing was scored (refused, staff)
        try c.encode(reasons ?? [], forKey: .reasons)
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
