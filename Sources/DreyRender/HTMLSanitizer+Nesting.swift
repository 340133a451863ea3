import Foundation

/// The parts of the HTML tree-building rules that decide where a kept element may go.
///
/// The output must parse back into the tree written, so the sanitizer closes elements where a
/// browser would close them implicitly (a `p` before a `div`, an `li` before the next `li`) and
/// leaves out what a browser would move elsewhere (anything but table parts directly in a table).
/// These run only while nothing is being dropped, so every open element is a kept one.
extension SanitizerRun {
    /// Closes what a new element implicitly closes; false when it has no valid place here.
    mutating func prepareToInsert(_ role: ElementInfo.Role, _ traits: ElementInfo.Traits) -> Bool {
        if traits.contains(.closesParagraph), let index = indexInScope(of: .paragraph) {
            close(downTo: index)
        }
        switch role {
        case .listItem, .definitionItem:
            closeListItem(role)
        case .link:
            // A link inside a link is not valid HTML; browsers end the outer one first.
            if let index = indexInScope(of: .link) { close(downTo: index) }
        case .heading:
            if open.last?.role == .heading { close(downTo: open.count - 1) }
        case .table:
            if open.last?.traits.contains(.tableContext) == true, let table = innermostTable() {
                close(downTo: table)
            }
        case .tableSection, .tableCaption:
            guard let table = innermostTable() else { return false }
            close(downTo: table + 1)
        case .row:
            guard let parent = rowParent() else { return false }
            close(downTo: parent + 1)
        case .cell:
            return prepareCell()
        default:
            if open.last?.traits.contains(.tableContext) == true { return false }
        }
        return true
    }

    /// Index of the open element an end tag closes, or nil when the tag closes nothing.
    func openIndex(forEndTag traits: ElementInfo.Traits, id: Int) -> Int? {
        let isTablePart = traits.contains(.tablePart)
        for index in open.indices.reversed() {
            let element = open[index]
            if element.id == id { return index }
            guard element.isKept else { continue }
            // Only its own end tag leaves a table, and `</b>` in a cell must not close a `b`
            // opened outside the table.
            if element.role == .table { return nil }
            if !isTablePart && element.traits.contains(.scopeBoundary) { return nil }
        }
        return nil
    }

    private func indexInScope(of role: ElementInfo.Role) -> Int? {
        guard openRoleCounts[Int(role.rawValue)] > 0 else { return nil }
        for index in open.indices.reversed() {
            if open[index].role == role { return index }
            if open[index].traits.contains(.scopeBoundary) { return nil }
        }
        return nil
    }

    private mutating func closeListItem(_ role: ElementInfo.Role) {
        for index in open.indices.reversed() {
            if open[index].role == role {
                close(downTo: index)
                return
            }
            if open[index].traits.contains(.listItemBarrier) { return }
        }
    }

    private func innermostTable() -> Int? {
        guard openRoleCounts[Int(ElementInfo.Role.table.rawValue)] > 0 else { return nil }
        return open.lastIndex { $0.role == .table }
    }

    /// The innermost table's section, or the table itself, that a new row belongs in.
    private func rowParent() -> Int? {
        guard let table = innermostTable() else { return nil }
        let next = table + 1
        if next < open.count && open[next].role == .tableSection { return next }
        return table
    }

    private mutating func prepareCell() -> Bool {
        guard let table = innermostTable() else { return false }
        if let row = open[table...].lastIndex(where: { $0.role == .row }) {
            close(downTo: row + 1)
            return true
        }
        guard let parent = rowParent(), parent + 1 < Self.maxKeptDepth else { return false }
        close(downTo: parent + 1)
        openImplied("tr")
        return true
    }
}
