import DreyCore
import DreyStore

/// Whether `/admin/setup` is open, and for what. It is open while no administrator of the site can sign in: none
/// exists yet (a fresh blog), or every one has no password (`drey demo` makes its administrator without one, as
/// does `drey user add` without `--password`). Then the one-time link `drey serve` prints creates the first
/// administrator, or lets the operator choose the password of the first one without a password.
public enum SetupState: Sendable, Equatable {
    case done
    case firstAdministrator
    case choosePassword(for: User)

    public static func of(_ store: SQLStore, siteID: Int64) async throws -> SetupState {
        let admins = try await store.members(siteID: siteID).filter { $0.1 == .administrator }.map(\.0)
        if admins.contains(where: { !$0.passwordHash.isEmpty }) { return .done }
        if let waiting = admins.first(where: { $0.active }) { return .choosePassword(for: waiting) }
        return admins.isEmpty ? .firstAdministrator : .done
    }

    public var isOpen: Bool { self != .done }
}
