import DreyCore
import DreyImport
import Foundation

/// A one-line progress bar with counts and an ETA, redrawn on standard error at most ten times a
/// second; only when standard error is a terminal, so logs and pipes stay clean.
final class ProgressBar: Sendable {
    private let lastDraw = Locked<Double>(-1)

    static func ifTerminal() -> ProgressBar? { isatty(STDERR_FILENO) == 1 ? ProgressBar() : nil }

    func update(_ p: ImportProgress) {
        let due = lastDraw.withLock { last -> Bool in
            guard p.elapsed - last >= 0.1 else { return false }
            last = p.elapsed
            return true
        }
        if due { draw(p) }
    }

    private func draw(_ p: ImportProgress) {
        let width = 28
        let filled = Int(p.fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let eta = p.fraction > 0.01 ? Self.clock(p.elapsed * (1 - p.fraction) / p.fraction) : "--:--"
        let line =
            "\r[\(bar)] \(String(format: "%3d", Int(p.fraction * 100)))%  \(Self.grouped(p.items)) items  "
            + "\(Self.grouped(p.comments)) comments  \(Self.clock(p.elapsed)) elapsed  ETA \(eta) "
        Console.error(line)
    }

    func finish() { Console.error("\r\u{1B}[K") }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s % 3600 / 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }

    static func grouped(_ n: Int) -> String {
        let digits = String(n)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return out
    }
}
