import Foundation

extension SpamSample {
    /// The same sample with every link taken out of the text (HTML links, `http(s)://`, `www.`, bare `name.tld`, as
    /// the tokenizer recognises them), or nil when the text has none. Scoring it tells whether a comment looks like
    /// spam for more than its links: the seed corpus has almost no real comments with links, so its model distrusts
    /// every link, while on a blog readers cite their sources.
    public func withoutLinks() -> SpamSample? {
        let words = CommentHTML.of(text).split(whereSeparator: { $0.isWhitespace })
        let kept = words.filter { TextAnalysis.linkHost(TextAnalysis.trimEdges($0)) == nil }
        guard kept.count < words.count else { return nil }
        var copy = self
        copy.text = kept.joined(separator: " ")
        return copy
    }
}
