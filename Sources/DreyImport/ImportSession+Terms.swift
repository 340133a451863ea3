import DreyCore
import DreyStore
import Foundation

extension ImportSession {
    static func taxonomy(_ wordPress: String) -> Taxonomy? {
        switch wordPress {
        case "category": return .category
        case "post_tag", "tag": return .tag
        default: return nil
        }
    }

    func importTerm(_ t: WXRTerm) async throws {
        let taxonomy = Self.taxonomy(t.taxonomy)
        // Counted by the element that declared it, as the file declares it.
        let kind: ImportSummary.Kind = t.element == "category" ? .categories : (t.element == "tag" ? .tags : .otherTerms)
        summary[kind].inFile += 1
        guard let taxonomy else {
            summary.skip(kind, "taxonomy “\(t.taxonomy)” is not imported")
            return
        }
        let name = t.name.isEmpty ? (t.slug.removingPercentEncoding ?? t.slug) : t.name
        guard !name.isEmpty else {
            summary.skip(kind, "no name and no slug")
            summary.warn("\(taxonomy.rawValue) at line \(t.line) has no name and no slug; skipped")
            return
        }
        let slug = ImportMapping.slug(t.slug, fallback: name)
        let key = TermKey(taxonomy: taxonomy, slug: slug)
        let label = "\(taxonomy.rawValue) “\(name)” (line \(t.line))"
        let id: Int64
        if let known = termIDs[key] {
            id = known
            if let wpID = t.id, termWPIDsHere[wpID] == known {
                summary.skip(kind, "repeats a \(taxonomy.rawValue) declared earlier in the file")
            } else if termsCreatedHere.contains(known) {
                summary.skip(kind, "same slug given twice")
                summary.warn(
                    "\(label): slug “\(slug)” was given to another \(taxonomy.rawValue) earlier in the file; both are one \(taxonomy.rawValue) here")
            } else {
                summary[kind].existing += 1
                if let wpID = t.id { try await writer.setTermWordPressID(termID: known, wpID: wpID) }
            }
        } else {
            id = try await writer.insertTerm(
                Term(siteID: writer.siteID, taxonomy: taxonomy, name: String(name.prefix(200)), slug: slug, description: t.description),
                wpID: t.id)
            termIDs[key] = id
            termsCreatedHere.insert(id)
            if let wpID = t.id { termWPIDsHere[wpID] = id }
            summary[kind].imported += 1
            if !t.parent.isEmpty { pendingTermParents.append((id, taxonomy, t.parent, label)) }
        }
        // Items name terms by WordPress's slug, which may differ from the one made here.
        let raw = (t.slug.removingPercentEncoding ?? t.slug).lowercased()
        if !raw.isEmpty { termIDs[TermKey(taxonomy: taxonomy, slug: raw)] = id }
    }

    /// The term an item's `<category domain nicename>` names, created when the file never declared it.
    func termID(for ref: WXRItemTerm, item: WXRItem) async throws -> Int64? {
        guard let taxonomy = Self.taxonomy(ref.domain) else { return nil }
        let raw = (ref.slug.removingPercentEncoding ?? ref.slug).lowercased()
        if !raw.isEmpty, let id = termIDs[TermKey(taxonomy: taxonomy, slug: raw)] { return id }
        let name = ref.name.isEmpty ? raw : ref.name
        guard !name.isEmpty else { return nil }
        let slug = ImportMapping.slug(ref.slug, fallback: name)
        if let id = termIDs[TermKey(taxonomy: taxonomy, slug: slug)] { return id }
        let id = try await writer.insertTerm(
            Term(siteID: writer.siteID, taxonomy: taxonomy, name: String(name.prefix(200)), slug: slug), wpID: nil)
        termIDs[TermKey(taxonomy: taxonomy, slug: slug)] = id
        if !raw.isEmpty { termIDs[TermKey(taxonomy: taxonomy, slug: raw)] = id }
        termsCreatedHere.insert(id)
        summary.termsFromItems += 1
        return id
    }

    /// Links each category to its parent now that every category has been read.
    func resolveTermParents() async throws {
        for (id, taxonomy, parent, label) in pendingTermParents {
            let raw = (parent.removingPercentEncoding ?? parent).lowercased()
            let parentID =
                termIDs[TermKey(taxonomy: taxonomy, slug: raw)]
                ?? termIDs[TermKey(taxonomy: taxonomy, slug: ImportMapping.slug(parent, fallback: parent))]
            guard let parentID, parentID != id else {
                summary.warn("\(label): its parent “\(parent)” is not in the file; imported at the top level")
                continue
            }
            try await writer.setTermParent(termID: id, parentID: parentID)
        }
        pendingTermParents = []
    }
}
