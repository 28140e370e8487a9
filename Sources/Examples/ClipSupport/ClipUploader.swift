// swift-kmip: ClipSupport
//
// Draining the spool to the store: oldest clip first, retried with backoff, removed from the
// spool only once the store has confirmed the clip's full size.

import Foundation
import Synchronization

/// How long to wait before retrying a failed upload.
public struct RetryPolicy: Sendable {
    /// The first delay.
    public var initialDelay: Duration
    /// The longest delay.
    public var maximumDelay: Duration
    /// Each failure multiplies the delay by this.
    public var multiplier: Double

    /// One second, doubling, at most a minute.
    public init(initialDelay: Duration = .seconds(1), maximumDelay: Duration = .seconds(60), multiplier: Double = 2) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.multiplier = multiplier
    }

    /// The delay before attempt `failures + 1`, with up to 20% random jitter taken off so that
    /// many cameras do not retry in step.
    public func delay(afterFailures failures: Int) -> Duration {
        let initial = Double(initialDelay.components.seconds) + Double(initialDelay.components.attoseconds) / 1e18
        let maximum = Double(maximumDelay.components.seconds) + Double(maximumDelay.components.attoseconds) / 1e18
        let base = min(maximum, initial * pow(multiplier, Double(max(0, failures - 1))))
        return .milliseconds(Int64(base * Double.random(in: 0.8...1.0) * 1000))
    }
}

/// Uploads what the spool holds, for as long as the camera records and until the spool is empty.
///
/// Clips go oldest first, one at a time. A clip leaves the spool only after
/// ``ClipStore/upload(_:as:)`` returned, which means the store confirmed the clip's full size
/// under its final name. A failure keeps the clip and retries after ``RetryPolicy`` delays; the
/// delay resets after a success. Nothing is ever dropped: a clip that cannot be uploaded stays
/// in the spool for the next start.
public final class ClipUploader: Sendable {
    /// What happened to one clip.
    public enum Event: Sendable {
        /// A clip reached the store.
        case uploaded(name: String, size: Int, seconds: Double)
        /// An upload failed; it is retried after `retryIn`.
        case failed(name: String, attempt: Int, reason: String, retryIn: Duration, waiting: Int, waitingBytes: Int)
    }

    /// Counts so far.
    public struct Totals: Sendable, Equatable {
        /// Clips uploaded.
        public var uploaded = 0
        /// Bytes uploaded.
        public var uploadedBytes = 0
        /// Failed attempts.
        public var failures = 0
    }

    private struct State {
        var recordingFinished = false
        var totals = Totals()
    }

    private let spool: ClipSpool
    private let store: any ClipStore
    private let retry: RetryPolicy
    private let report: @Sendable (Event) -> Void
    private let state = Mutex(State())

    /// An uploader from `spool` to `store`, telling `report` about every clip.
    public init(spool: ClipSpool, store: any ClipStore, retry: RetryPolicy = RetryPolicy(), report: @escaping @Sendable (Event) -> Void = { _ in }) {
        self.spool = spool
        self.store = store
        self.retry = retry
        self.report = report
    }

    /// Tells the uploader no more clips are coming: ``run()`` returns once the spool is empty.
    public func finishRecording() {
        state.withLock { $0.recordingFinished = true }
    }

    /// What the uploader has done so far.
    public var totals: Totals { state.withLock { $0.totals } }

    /// Uploads until recording has finished and the spool is empty, or until the task is cancelled
    /// (what is left stays in the spool).
    public func run() async {
        var failures = 0
        while !Task.isCancelled {
            let pending: [StoredClip]
            do { pending = try spool.pending() } catch {
                failures += 1
                report(.failed(name: "(spool)", attempt: failures, reason: "\(error)", retryIn: retry.delay(afterFailures: failures), waiting: 0, waitingBytes: 0))
                try? await Task.sleep(for: retry.delay(afterFailures: failures))
                continue
            }
            guard let clip = pending.first else {
                if state.withLock({ $0.recordingFinished }) {
                    // A clip may have been sealed between the listing and the flag: look once more.
                    if (try? spool.pending().isEmpty) ?? true { return }
                    continue
                }
                try? await Task.sleep(for: .milliseconds(100))
                continue
            }
            let started = ContinuousClock.now
            do {
                try await store.upload(spool.path(of: clip.name), as: clip.name)
                try spool.remove(clip.name)
                failures = 0
                let elapsed = ContinuousClock.now - started
                state.withLock {
                    $0.totals.uploaded += 1
                    $0.totals.uploadedBytes += clip.size
                }
                report(.uploaded(name: clip.name, size: clip.size, seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
            } catch {
                failures += 1
                state.withLock { $0.totals.failures += 1 }
                let delay = retry.delay(afterFailures: failures)
                report(.failed(
                    name: clip.name, attempt: failures, reason: "\(error)", retryIn: delay, waiting: pending.count,
                    waitingBytes: pending.reduce(0) { $0 + $1.size }))
                try? await Task.sleep(for: delay)
            }
        }
    }
}
