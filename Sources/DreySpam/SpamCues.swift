import Foundation

/// Hand-made features with names: the model weighs them like any other, and `explain` quotes the ones that pushed a score up.
/// Stored models keep cue weights by position: add new cases at the end only.
enum Cue: Int, CaseIterable {
    case oneLink, twoLinks, threeLinks, twoDomains, videoLink, disguisedLink, emailInText
    case shouting, repeatedChars, manyExclamations
    case selfPromotion, subscribe, likeBegging, moneyOffer, checkThisOut
    case authorMachineMade, authorIsLink, authorSalesWords, hasWebsite
    case len15, len40, len100, len250, lenLong

    /// The reason shown to a moderator; nil for cues that only describe (lengths), not accuse.
    func reason(_ a: TextAnalysis, phrase: String?) -> String? {
        switch self {
        case .oneLink: return a.truncated ? "\(a.links)+ links" : a.links == 1 ? "1 link" : "\(a.links) links"
        case .twoLinks, .threeLinks: return nil  // folded into "N links"
        case .twoDomains: return "\(a.domains.count) link domains"
        case .videoLink: return "video link"
        case .disguisedLink: return "disguised link"
        case .emailInText: return "email address in text"
        case .shouting: return "shouting"
        case .repeatedChars: return "repeated characters"
        case .manyExclamations: return "many exclamation marks"
        case .selfPromotion, .subscribe, .likeBegging, .moneyOffer, .checkThisOut: return phrase.map { "phrase '\($0)'" }
        case .authorMachineMade: return "machine-made name"
        case .authorIsLink: return "name is a link"
        case .authorSalesWords: return "sales words in name"
        case .hasWebsite: return nil
        case .len15, .len40, .len100, .len250, .lenLong: return nil
        }
    }

    /// Starting weights for cues the seed corpus cannot teach (YouTube names are never links, comments hold no emails):
    /// without them a blog's first "name is a URL" spam would score as if the name said nothing. Moderation adjusts them.
    static let priors: [Cue: Float] = [.authorIsLink: 4, .emailInText: 2]

    /// Phrases matched on whole tokens (so "my channel" does not fire inside "army channel").
    static let phrases: [(Cue, [String])] = [
        (
            .selfPromotion,
            [
                "check out my", "check my", "visit my", "my channel", "my new channel", "my video", "my videos",
                "my new video", "my site", "my website", "my page", "my blog", "my music", "my song", "my cover",
                "my youtube", "our channel", "our video", "my vids", "my vid", "my newest", "my latest",
                "my first video", "my covers", "my songs", "my account", "my profile", "my stuff", "my new song",
            ]
        ),
        // Asking for subscriptions, not talking about them ("14,000,000 subscribers" is a fan, not a spammer).
        (
            .subscribe,
            [
                "subscribe", "sub to", "sub me", "sub 4 sub", "sub4sub", "subscribe to my", "follow me",
                "follow 4 follow", "like 4 like", "subscribe to me",
            ]
        ),
        (
            .likeBegging,
            [
                "please like", "thumbs up", "like this comment", "give it a like", "like if", "please share",
                "share this", "plz like", "pls like", "leave a like", "like and share", "like my",
            ]
        ),
        (
            .moneyOffer,
            [
                "money", "cash", "earn", "dollars", "<money>", "free", "gift card", "giftcard", "paypal", "income",
                "profit", "offer", "win", "prize", "bitcoin", "per day", "per hour", "work from home",
                "click here", "sign up", "signup", "promo", "discount", "cheap", "casino", "loan", "viagra",
                "followers", "views for", "buy", "sale", "investment", "credit",
            ]
        ),
        (
            .checkThisOut,
            [
                "check out", "check this", "check it out", "look at this", "go to", "click", "visit",
                "please watch", "check me out", "look up", "search for", "take a look", "link below", "link in",
            ]
        ),
    ]

    /// Phrases by first token, tokenized like comments ("sub 4 sub" → sub <num> sub), so matching is one pass over the tokens.
    static let phraseIndex: [String: [(Cue, [String], String)]] = {
        var index: [String: [(Cue, [String], String)]] = [:]
        for (cue, list) in phrases {
            for text in list {
                var words: [String] = []
                TextAnalysis.words(in: text, into: &words)
                if text == "<money>" { words = [text] }
                index[words[0], default: []].append((cue, words, text))
            }
        }
        return index
    }()

    /// Words that in a name mean a seller, not a person.
    static let salesNameWords: Set<String> = [
        "cheap", "buy", "online", "free", "loan", "loans", "casino", "viagra", "seo", "sale", "discount", "best",
        "pills", "replica", "shop", "store", "deals", "money", "marketing", "services", "insurance", "credit",
        // Trades and offers that name link spam on blogs ("Google Ranking Expert", "Coursework Experts", "mold removal").
        "service", "agency", "company", "expert", "experts", "pharmacy", "backlinks", "backlink", "ranking", "traffic",
        "followers", "essay", "essays", "homework", "assignment", "coursework", "dissertation", "writers", "forex",
        "crypto", "bitcoin", "betting", "slots", "slot", "poker", "gummies", "outlet", "repair", "removal", "remodeling",
        "cleaning", "contractors", "movers", "lawyer", "downloader", "packages", "kredit", "agentur", "pharmacie",
    ]

    /// Values of every cue for one sample, and for phrase cues the first phrase that fired.
    static func evaluate(_ a: TextAnalysis, _ sample: SpamSample) -> (values: [Float], phrases: [Cue: String]) {
        var v = [Float](repeating: 0, count: allCases.count)
        func set(_ c: Cue, _ on: Bool) { if on { v[c.rawValue] = 1 } }
        set(.oneLink, a.links >= 1)
        set(.twoLinks, a.links >= 2)
        set(.threeLinks, a.links >= 3)
        set(.twoDomains, a.domains.count >= 2)
        set(.videoLink, a.videoLinks > 0)
        set(.disguisedLink, a.disguisedLinks > 0)
        set(.emailInText, a.emails > 0)
        if a.casedLetters >= 8 { v[Cue.shouting.rawValue] = Float(a.uppercase) / Float(a.casedLetters) > 0.5 ? 1 : 0 }
        set(.repeatedChars, a.longestRun >= 4)
        set(.manyExclamations, a.exclamations >= 3)
        var found: [Cue: String] = [:]
        let t = a.tokens
        for (i, token) in t.enumerated() {
            guard let candidates = phraseIndex[token] else { continue }
            for (cue, words, text) in candidates where found[cue] == nil {
                if i + words.count <= t.count, words.indices.allSatisfy({ t[i + $0] == words[$0] }) {
                    v[cue.rawValue] = 1
                    found[cue] = text
                }
            }
        }
        if let author = sample.author?.lowercased(), !author.isEmpty {
            set(.authorMachineMade, Self.looksMachineMade(author))
            let trimmed = TextAnalysis.trimEdges(Substring(author))
            set(.authorIsLink, TextAnalysis.linkHost(trimmed) != nil || author.utf8.contains(64))
            var nameTokens: [String] = []
            TextAnalysis.words(in: author, into: &nameTokens)
            set(.authorSalesWords, nameTokens.contains(where: salesNameWords.contains))
        }
        set(.hasWebsite, !(sample.url ?? "").isEmpty)
        let n = a.scalarCount
        let bucket: Cue = n <= 15 ? .len15 : n <= 40 ? .len40 : n <= 100 ? .len100 : n <= 250 ? .len250 : .lenLong
        v[bucket.rawValue] = 1
        return (v, found)
    }

    /// Random-looking names: long digit runs, five consonants in a row, or a letters-then-digits handle with no space.
    static func looksMachineMade(_ name: String) -> Bool {
        let scalars = Array(name.unicodeScalars)
        var digits = 0
        var consonantRun = 0
        var maxConsonantRun = 0
        for s in scalars {
            if ("0"..."9").contains(s) { digits += 1 }
            if ("a"..."z").contains(s), !"aeiouy".unicodeScalars.contains(s) {
                consonantRun += 1
                maxConsonantRun = max(maxConsonantRun, consonantRun)
            } else {
                consonantRun = 0
            }
        }
        return digits >= 3 || maxConsonantRun >= 5
    }
}
