public enum Taxonomy: String, Sendable, Codable, CaseIterable {
    case category, tag

    /// The URL base WordPress uses for archives of this taxonomy.
    public var base: String { self == .category ? "category" : "tag" }
}

/// A category or a tag.
public struct Term: Sendable, Equatable, Identifiable, Hashable {
    public var id: Int64
    public var siteID: Int64
    public var taxonomy: Taxonomy
    public var name: String
    public var slug: String
    public var description: String
    public var parentID: Int64?

    public init(
        id: Int64 = 0, siteID: Int64, taxonomy: Taxonomy, name: String, slug: String, description: String = "",
        parentID: Int64? = nil
    ) {
        self.id = id
        self.siteID = siteID
        self.taxonomy = taxonomy
        self.name = name
        self.slug = slug
        self.description = description
        self.parentID = parentID
    }
}

extension Term {
    /// Paths of categories as WordPress writes them in URLs (`parent/child`), for every category in `terms`;
    /// a broken or circular parent chain stops after ten steps.
    public static func paths(of terms: [Term]) -> [Int64: String] {
        let byID = Dictionary(terms.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var paths: [Int64: String] = [:]
        for term in terms where term.taxonomy == .category {
            var parts = [term.slug]
            var cursor = term.parentID
            while let id = cursor, let parent = byID[id], parts.count <= 10 {
                parts.insert(parent.slug, at: 0)
                cursor = parent.parentID
            }
            paths[term.id] = parts.joined(separator: "/")
        }
        return paths
    }
}
