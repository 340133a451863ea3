import Foundation

extension CrossValidation {
    /// The fold of each sample in `run` with the same labels, fold count and seed, so a caller can rebuild
    /// what each fold's model had seen (the pipeline's memory of commenters, in `drey spam eval`).
    public static func folds(labels: [Bool], folds: Int, seed: UInt64) -> [Int] {
        assignFolds(labels: labels, folds: max(2, min(folds, labels.count)), seed: seed)
    }
}
