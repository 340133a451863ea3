import Foundation

extension SpamModel {
    /// Where the seed corpus comes from; quote it wherever the seeded model is documented.
    public static let seedCorpusCitation = """
        T. C. Alberto, J. V. Lochter, T. A. Almeida, "TubeSpam: Comment Spam Filtering on YouTube", \
        Proc. 14th IEEE ICMLA 2015 — YouTube Spam Collection v1, CC BY 4.0
        """

    /// A model trained on every `*.csv` and `*.jsonl` under `directory` (sorted by path, so the same files give the same model):
    /// the YouTube collection and the project's blog-comment corpus.
    /// This is the day-one model of a new site: built at start-up from the corpus (under a second), never stored as a blob.
    public static func seeded(fromDirectory directory: URL) throws -> SpamModel {
        let files = try FileManager.default.subpathsOfDirectory(atPath: directory.path)
            .filter(SpamCorpus.isLabelledFile)
            .sorted()
            .map { directory.appendingPathComponent($0) }
        return try seeded(from: files)
    }

    /// A model trained on the labelled CSV or JSON-lines files given, in the order given.
    public static func seeded(from files: [URL]) throws -> SpamModel {
        var samples: [(SpamSample, Bool)] = []
        for file in files { samples += try SpamCorpus.load(file) }
        var model = SpamModel()
        model.train(samples)
        return model
    }
}
