import Foundation

extension SpamSample {
    /// What the comment shows besides its words that spam has and a first-time reader rarely has: links in the text
    /// (HTML anchors, BBCode and disguised ones included), an email address in the text, a name that is a link, a
    /// keyword name ("Best SEO Services") or a machine-made one. The filter sends a comment to spam on the
    /// classifier's word only when something like this (or the sender's history, the form's timing, the site's word
    /// lists) backs it up. Readers cite sources too, so a link alone never sends anything to spam.
    public func signals() -> [String] {
        let a = TextAnalysis(text)
        var out: [String] = []
        if a.links > 0 { out.append(a.truncated ? "\(a.links)+ links" : a.links == 1 ? "1 link" : "\(a.links) links") }
        if a.disguisedLinks > 0 { out.append("disguised link") }
        if a.emails > 0 { out.append("email address in text") }
        if let author = author?.lowercased(), !author.isEmpty {
            if TextAnalysis.linkHost(TextAnalysis.trimEdges(Substring(author))) != nil || author.utf8.contains(64) {
                out.append("name is a link")
            }
            var tokens: [String] = []
            TextAnalysis.words(in: author, into: &tokens)
            if tokens.contains(where: Cue.salesNameWords.contains) { out.append("sales words in name") }
            if Cue.looksMachineMade(author) { out.append("machine-made name") }
        }
        return out
    }
}
