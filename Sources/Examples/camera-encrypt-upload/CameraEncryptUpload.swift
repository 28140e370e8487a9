// swift-kmip: `camera-encrypt-upload`, the camera side of the original system.
//
// capture -> seal with a KMIP key (streamed, never plaintext on disk) -> durable spool ->
// upload with retries. Keys are created and activated over KMIP and rotated by policy; the old
// key is revoked as superseded.

import ArgumentParser
import ClipSupport
import ClipTools
import Foundation
import KMIP
import SealedFile
import Synchronization

@main
struct CameraEncryptUpload: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "camera-encrypt-upload",
        abstract: "Record clips, seal each one with a key from a KMIP server, and upload them.",
        discussion: """
            Each clip is read from the capture command's standard output (or from a file given with \
            --files) straight into the sealer (docs/SealedFileFormat.md): the plaintext never touches \
            the disk. Sealed clips wait in a spool directory with a size quota and leave it only when \
            the store has confirmed their full size; failed uploads are retried with backoff, and a \
            restart resumes with what the spool holds. Keys are AES-256, created and activated over \
            KMIP with a Name and an Object Group, and replaced every --rotate-every-clips clips or \
            --rotate-every-minutes minutes; a replaced key is revoked as superseded.

            Capture templates take {output} {duration} {width} {height} {fps}, for example:
              rpicam-vid -t {duration}s --width {width} --height {height} --framerate {fps} --codec h264 -o {output}
              ffmpeg -f lavfi -i testsrc=duration={duration}:size={width}x{height}:rate={fps} -f mp4 -movflags frag_keyframe+empty_moov {output}

            Exit status: 0 every clip uploaded; 1 a failure (KMIP, capture, spool); 64 usage; \
            4 clips are left in the spool (uploaded on the next start).
            """)

    @OptionGroup(title: "Key manager")
    var kmip: KMIPArguments

    @OptionGroup(title: "Clip store")
    var store: StoreArguments

    @Option(help: "This camera's name: in clip names, key names and clip metadata (default: the host name).")
    var cameraID: String?

    @Option(help: "The Object Group of the camera's keys (the key manager's policy grants viewers access by group).")
    var objectGroup = "camera"

    @Flag(help: "Also set the custom attribute x-Camera-ID on keys (PyKMIP refuses custom attributes).")
    var customAttributes = false

    @Option(help: "The spool directory: sealed clips wait here until uploaded.")
    var spool = "./camera-spool"

    @Option(help: "The most the spool may hold (e.g. 512M, 2G); recording pauses when it is full.")
    var spoolQuota = "1G"

    @Option(help: "The capture command template (default: ffmpeg's test source).")
    var capture: String?

    @Option(parsing: .upToNextOption, help: "Seal these existing files (any type) instead of capturing.")
    var files: [String] = []

    @Option(help: "Seconds per clip.")
    var segmentSeconds = 10

    @Option(help: "Frame width.")
    var width = 1280

    @Option(help: "Frame height.")
    var height = 720

    @Option(help: "Frames per second.")
    var fps = 25

    @Option(help: "Clips to record (0: until stopped).")
    var clips = 0

    @Option(help: "Replace the key after this many clips (0: not by count).")
    var rotateEveryClips = 100

    @Option(help: "Replace the key once it is this many minutes old (0: not by age).")
    var rotateEveryMinutes: Double = 60

    @Option(help: "The clips' content type, kept in their metadata (default video/mp4 for captures, guessed from the extension for files).")
    var contentType: String?

    @Flag(help: "Record nothing: upload what the spool holds, then exit.")
    var uploadOnly = false

    @Option(help: "Once recording is over, retry uploads for at most this many seconds, then exit 4 leaving the rest in the spool (default: until all are uploaded).")
    var giveUpAfter: Double?

    @Option(help: "Upload at most this many bytes a second to ftp://, ftps:// and sftp:// stores (e.g. 500k, 2M).")
    var uploadLimit: String?

    @Option(help: "Seconds before the first upload retry (doubling up to --retry-max).")
    var retryInitial: Double = 1

    @Option(help: "The longest wait between upload retries, in seconds.")
    var retryMax: Double = 60

    func validate() throws {
        if let uploadLimit, ClipLog.parseBytes(uploadLimit) == nil { throw ValidationError("--upload-limit must be a rate such as 500k or 2M, not '\(uploadLimit)'") }
        guard ClipLog.parseBytes(spoolQuota) != nil else { throw ValidationError("--spool-quota must be a size such as 512M or 2G, not '\(spoolQuota)'") }
        guard (1...3600).contains(segmentSeconds) else { throw ValidationError("--segment-seconds must be 1 to 3600") }
        guard width > 0, height > 0, (1...240).contains(fps) else { throw ValidationError("--width, --height and --fps must be positive (fps at most 240)") }
        guard clips >= 0, rotateEveryClips >= 0, rotateEveryMinutes >= 0 else { throw ValidationError("--clips and the rotation settings cannot be negative") }
        guard retryInitial > 0, retryMax >= retryInitial else { throw ValidationError("--retry-initial must be positive and at most --retry-max") }
        if capture != nil && !files.isEmpty { throw ValidationError("--capture and --files exclude each other") }
        if let id = cameraID, id.isEmpty || id.contains("/") || id.hasPrefix(".") { throw ValidationError("--camera-id must be a plain name, not '\(id)'") }
        for file in files where !FileManager.default.isReadableFile(atPath: file) { throw ValidationError("--files: cannot read '\(file)'") }
    }

    func run() async throws {
        let camera = cameraID ?? ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "camera"
        let spool = try ClipSpool(directory: spool, quota: ClipLog.parseBytes(spoolQuota)!)
        for partial in ClipSealing.removeInterruptedSealings(in: spool.directory) {
            ClipLog.line("removed \(partial) from the spool: the ciphertext of a recording that was interrupted")
        }
        let clipStore = try store.makeStore(uploadLimit: uploadLimit.flatMap(ClipLog.parseBytes))
        let waiting = try spool.pending()
        ClipLog.line("camera \(camera): spool \(spool.directory) (\(waiting.count) clips waiting, quota \(ClipLog.bytes(spool.quota))), store \(ClipLog.redact(clipStore.location))")

        let uploader = ClipUploader(
            spool: spool, store: clipStore,
            retry: RetryPolicy(initialDelay: .milliseconds(Int64(retryInitial * 1000)), maximumDelay: .milliseconds(Int64(retryMax * 1000)))
        ) { event in
            switch event {
            case .uploaded(let name, let size, let seconds):
                ClipLog.line("uploaded \(name) (\(ClipLog.bytes(size))) in \(String(format: "%.2f", seconds)) s")
            case .failed(let name, let attempt, let reason, let retryIn, let count, let bytes):
                ClipLog.line("upload of \(name) failed (attempt \(attempt)): \(reason); retrying in \(retryIn.formatted(.units(allowed: [.seconds, .milliseconds], width: .narrow))); \(count) clips (\(ClipLog.bytes(bytes))) wait in the spool")
            }
        }
        let uploads = Task { await uploader.run() }
        let stop = StopRequest()
        stop.install()

        var failure: String?
        if !uploadOnly {
            do {
                try await record(camera: camera, spool: spool, stop: stop)
            } catch {
                failure = "\(error)"
                ClipLog.line("stopped recording: \(error)")
            }
        }
        uploader.finishRecording()

        // Wait for the spool to drain, for at most --give-up-after (10 s after a stop request).
        let limit = stop.requested ? min(giveUpAfter ?? 10, 10) : giveUpAfter
        if let limit {
            let deadline = ContinuousClock.now + .milliseconds(Int64(limit * 1000))
            while !uploads.isCancelled, ContinuousClock.now < deadline, (try? spool.pending().isEmpty) == false {
                try? await Task.sleep(for: .milliseconds(100))
            }
            uploads.cancel()
        }
        await uploads.value
        let left = (try? spool.pending()) ?? []
        let totals = uploader.totals
        ClipLog.line("done: \(totals.uploaded) clips uploaded (\(ClipLog.bytes(totals.uploadedBytes))), \(totals.failures) failed attempts, \(left.count) clips left in the spool")
        if let failure { throw CameraFailure(failure) }
        if !left.isEmpty {
            ClipLog.line("\(left.count) clips wait in \(spool.directory); they are uploaded on the next start (or with --upload-only)")
            throw ExitCode(4)
        }
    }

    /// Records, seals and spools clips until done or stopped.
    func record(camera: String, spool: ClipSpool, stop: StopRequest) async throws {
        let client = try kmip.makeClient(logLabel: "camera-encrypt-upload")
        defer { Task { await client.shutdown() } }
        let policy = KeyRotationPolicy(
            everyClips: rotateEveryClips > 0 ? rotateEveryClips : nil, everyMinutes: rotateEveryMinutes > 0 ? rotateEveryMinutes : nil)
        var state = try CameraState.load(from: spool)
        var keyBytes: (id: String, bytes: [UInt8])?

        // Keys replaced while the key manager was unreachable are revoked now.
        for id in state.toRevoke {
            do {
                try await client.revoke(.text(id), reason: .superseded, message: "replaced by camera \(camera)")
                ClipLog.line("revoked key \(id) (superseded; replaced earlier)")
                state.toRevoke.removeAll { $0 == id }
                try state.save(to: spool)
            } catch {
                ClipLog.line("cannot revoke key \(id) yet: \(error)")
            }
        }

        let source: ClipSource = !files.isEmpty ? .files(files) : .command(capture.map { CaptureCommand(template: $0) } ?? .ffmpegTestSource)
        let total = !files.isEmpty ? files.count : clips
        var recorded = 0
        var failedInARow = 0
        var largest = 0
        var pausedForSpace = false
        while total == 0 || recorded < total {
            if stop.requested { ClipLog.line("stop requested: recording ends"); break }
            // Wait for room in the spool: the uploader frees it.
            if !spool.hasRoom(for: largest) {
                if !pausedForSpace {
                    ClipLog.line("spool full (\(ClipLog.bytes(spool.usedBytes())) of \(ClipLog.bytes(spool.quota))): recording paused until uploads free space")
                    pausedForSpace = true
                }
                try await Task.sleep(for: .milliseconds(250))
                continue
            }
            if pausedForSpace { ClipLog.line("spool has room again: recording resumes"); pausedForSpace = false }

            // Rotate the key when the policy says so.
            if policy.isDue(state) {
                let stamp = Self.stamp(Date())
                let id = try await ClipKeys.createClipKey(
                    client, name: "\(camera) clip key \(stamp)", objectGroup: objectGroup,
                    customAttributes: customAttributes ? ["x-Camera-ID": camera] : [:])
                let previous = state.key?.identifier
                state.key = CameraState.Key(identifier: id.description, createdAt: Date())
                if let previous { state.toRevoke.append(previous) }
                try state.save(to: spool)
                if let previous {
                    do {
                        try await client.revoke(.text(previous), reason: .superseded, message: "rotated by camera \(camera)")
                        state.toRevoke.removeAll { $0 == previous }
                        try state.save(to: spool)
                        ClipLog.line("key rotated: \(previous) revoked (superseded); \(id) created and activated")
                    } catch {
                        ClipLog.line("key rotated: \(id) created and activated; revoking \(previous) failed (\(error)), retried on the next start")
                    }
                } else {
                    ClipLog.line("key \(id) created and activated (group \(objectGroup))")
                }
            }
            guard let key = state.key else { break }
            if keyBytes?.id != key.identifier {
                keyBytes = (key.identifier, try await ClipKeys.material(client, .text(key.identifier)))
            }

            let number = state.nextClipNumber
            let captured = Date()
            let name = "\(camera)-\(Self.stamp(captured))-\(String(format: "%06d", number)).sealed"
            var metadata = ["captured": captured.formatted(.iso8601), "camera": camera, "clip": "\(number)"]
            metadata["content-type"] = contentType ?? source.contentType(at: recorded)
            if case .files(let paths) = source { metadata["source-name"] = (paths[recorded] as NSString).lastPathComponent }
            let header = SealedFileHeader(serverIdentity: kmip.location, keyIdentifier: key.identifier, metadata: metadata)
            let started = ContinuousClock.now
            let sealed: SealedClip
            do {
                sealed = try source.record(index: recorded, seconds: segmentSeconds, width: width, height: height, fps: fps) { input, finish in
                    try ClipSealing.seal(from: &input, into: spool.directory, name: name, header: header, key: keyBytes!.bytes, beforeKeeping: finish)
                }
                failedInARow = 0
            } catch {
                failedInARow += 1
                ClipLog.line("clip \(number) discarded: \(error)")
                if failedInARow >= 3 || !files.isEmpty { throw CameraFailure("recording failed \(failedInARow) times in a row: \(error)") }
                continue
            }
            state.nextClipNumber += 1
            state.key?.clipsSealed += 1
            try state.save(to: spool)
            recorded += 1
            largest = max(largest, sealed.sealedSize)
            let elapsed = ContinuousClock.now - started
            ClipLog.line("clip \(name): \(ClipLog.bytes(sealed.plaintextSize)) recorded and sealed with key \(key.identifier) in \(elapsed.formatted(.units(allowed: [.seconds, .milliseconds], width: .narrow))); spooled (\(ClipLog.bytes(sealed.sealedSize)))")
        }
    }

    static func stamp(_ date: Date) -> String {
        let components = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: date)
        return String(
            format: "%04d%02d%02d-%02d%02d%02d", components.year ?? 0, components.month ?? 0, components.day ?? 0,
            components.hour ?? 0, components.minute ?? 0, components.second ?? 0)
    }
}

/// Where clips come from.
enum ClipSource {
    case command(CaptureCommand)
    case files([String])

    func contentType(at index: Int) -> String {
        switch self {
        case .command: "video/mp4"
        case .files(let paths):
            switch (paths[index] as NSString).pathExtension.lowercased() {
            case "mp4", "m4v": "video/mp4"
            case "webm": "video/webm"
            case "h264": "video/h264"
            case "jpg", "jpeg": "image/jpeg"
            case "png": "image/png"
            case "json": "application/json"
            case "csv": "text/csv"
            case "txt", "log": "text/plain"
            default: "application/octet-stream"
            }
        }
    }

    /// Records clip `index` into `body`, which must call `finish` before keeping the clip.
    func record<T>(
        index: Int, seconds: Int, width: Int, height: Int, fps: Int, _ body: (inout FileHandleSource, _ finish: () throws -> Void) throws -> T
    ) throws -> T {
        switch self {
        case .command(let command):
            let capture = try command.start(duration: seconds, width: width, height: height, fps: fps)
            defer { capture.cancel() }
            return try body(&capture.source, capture.finish)
        case .files(let paths):
            guard let handle = FileHandle(forReadingAtPath: paths[index]) else { throw ClipStoreError("cannot read \(paths[index])") }
            defer { try? handle.close() }
            var source = FileHandleSource(handle)
            return try body(&source, {})
        }
    }
}

/// SIGINT or SIGTERM: stop recording after the current clip, give the uploads a moment, exit.
final class StopRequest: @unchecked Sendable {
    private let flag = Atomic<Bool>(false)
    /// The signal sources, kept alive; touched only in `install`.
    private var sources: [any DispatchSourceSignal] = []

    var requested: Bool { flag.load(ordering: .relaxed) }

    func install() {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [self] in
                if flag.exchange(true, ordering: .relaxed) { exit(130) }  // a second signal: now
                ClipLog.line("signal \(signalNumber): finishing the current clip, then stopping (again to stop now)")
            }
            source.resume()
            sources.append(source)
        }
    }
}

struct CameraFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
