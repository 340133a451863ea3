import Foundation

extension CrossValidation {
    /// The fold of each sample in `run` with the same labels, fold count and seed, so a caller can rebuild
    /// what each fold's model had seen (the pipeline's memory of commenters, in `drey spam eval`).
    public static func folds(labels: [Bool], folds: Int, seed: UInt64) -> [Int] {
        assignFolds(labels: labels, folds: max(2, min(folds, labels.count)), seed: seed)
    }
}

extension CrossValidation {
    /// Out-of-fold scores for a given split: the samples of fold f are scored by a model trained on `extra` (always
    /// in training: a second corpus the shipped model also learns from) and on every other fold, in input order.
    /// Where a sample's score reaches `linkFreeFrom`, its link-free text is scored by the same model too (the filter
    /// asks for that score only there). Same data and order give the same models, so figures repeat exactly.
    public static func outOfFold(
        samples: [(SpamSample, Bool)], fold: [Int], extra: [(SpamSample, Bool)] = [], linkFreeFrom cut: Double? = nil
    ) -> (scores: [Double], withoutLinks: [Double?]) {
        precondition(fold.count == samples.count)
        let tuning = SpamTuning()
        let vectors = samples.map { tuning.vectorize($0.0).0 }
        let extraVectors = extra.map { tuning.vectorize($0.0).0 }
        var scores = [Double](repeating: 0, count: samples.count)
        var bare = [Double?](repeating: nil, count: samples.count)
        for f in Set(fold).sorted() {
            var model = SpamModel(tuning: tuning)
            let train = samples.indices.filter { fold[$0] != f }
            model.fit(extraVectors + train.map { vectors[$0] }, labels: extra.map(\.1) + train.map { samples[$0].1 })
            for i in samples.indices where fold[i] == f {
                scores[i] = Double(sigmoid(model.margin(vectors[i])))
                if let cut, scores[i] >= cut, let stripped = samples[i].0.withoutLinks() { bare[i] = model.score(stripped) }
            }
        }
        return (scores, bare)
    }

    /// The classifier-alone report of out-of-fold scores, spam from `cut`.
    public static func report(scores: [Double], labels: [Bool], folds: Int, cut: Double = 0.5) -> Report {
        var report = Report(folds: folds)
        report.scores = scores
        for (s, isSpam) in zip(scores, labels) {
            switch (s >= cut, isSpam) {
            case (true, true): report.truePositives += 1
            case (true, false): report.falsePositives += 1
            case (false, true): report.falseNegatives += 1
            case (false, false): report.trueNegatives += 1
            }
        }
        return report
    }
}
