// swift-kmip: ClipSupport
//
// The camera: a capture command whose standard output is the clip.

import Foundation
import SealedFile

/// A capture command template, such as
/// `ffmpeg -f lavfi -i testsrc=duration={duration}:size={width}x{height}:rate={fps} -f mp4 -movflags frag_keyframe+empty_moov {output}`
/// or `rpicam-vid -t {duration}s --width {width} --height {height} --framerate {fps} -o {output}`.
///
/// The placeholders `{output}` (standard output: `-` for most tools, `pipe:1` for ffmpeg),
/// `{duration}` (seconds), `{width}`, `{height}` and `{fps}` are replaced in each word; the
/// template is split on spaces before, so values never split words. The clip is read from the
/// command's standard output and never touches the disk in the clear.
public struct CaptureCommand: Sendable {
    /// The template.
    public var template: String

    /// The template for ffmpeg's test source: a fragmented MP4 that browsers can play.
    public static let ffmpegTestSource = CaptureCommand(
        template: "ffmpeg -hide_banner -loglevel error -f lavfi -i testsrc=duration={duration}:size={width}x{height}:rate={fps} -pix_fmt yuv420p -f mp4 -movflags frag_keyframe+empty_moov {output}")

    public init(template: String) { self.template = template }

    /// The argument vector for one clip.
    public func arguments(duration: Int, width: Int, height: Int, fps: Int, output: String) -> [String] {
        template.split(separator: " ", omittingEmptySubsequences: true).map { word in
            word.replacingOccurrences(of: "{duration}", with: "\(duration)")
                .replacingOccurrences(of: "{width}", with: "\(width)")
                .replacingOccurrences(of: "{height}", with: "\(height)")
                .replacingOccurrences(of: "{fps}", with: "\(fps)")
                .replacingOccurrences(of: "{output}", with: output)
        }
    }

    /// Whether `program` is an executable on `PATH`.
    public static func findExecutable(_ program: String) -> String? {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(directory)/\(program)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// Starts the command for one clip: read the clip from ``RunningCapture/source``, then call
    /// ``RunningCapture/finish()`` before keeping it (it fails when the command failed).
    public func start(duration: Int, width: Int, height: Int, fps: Int, output: String = "pipe:1") throws -> RunningCapture {
        var arguments = self.arguments(duration: duration, width: width, height: height, fps: fps, output: output)
        guard !arguments.isEmpty else { throw ClipStoreError("the capture command is empty") }
        let program = arguments.removeFirst()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program.contains("/") ? program : (Self.findExecutable(program) ?? program))
        process.arguments = arguments
        let pipe = Pipe()
        let errors = Pipe()
        process.standardOutput = pipe
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw ClipStoreError("cannot start the capture command '\(program)': \(error.localizedDescription)")
        }
        return RunningCapture(process: process, output: pipe, errors: errors)
    }
}

/// A capture command that is running.
public final class RunningCapture {
    private let process: Process
    private var finished = false
    /// The last 4 KiB the command wrote to stderr, read as it comes so that a chatty command
    /// (one line per frame) never blocks on a full pipe.
    private let errorTail = ErrorTail()
    private let errorsDone = DispatchGroup()
    /// The command's standard output: the clip.
    public var source: FileHandleSource

    init(process: Process, output: Pipe, errors: Pipe) {
        self.process = process
        self.source = FileHandleSource(output.fileHandleForReading)
        let tail = errorTail
        let reader = errors.fileHandleForReading
        errorsDone.enter()
        DispatchQueue.global().async { [errorsDone] in
            while let data = try? reader.read(upToCount: 4096), !data.isEmpty { tail.append(data) }
            errorsDone.leave()
        }
    }

    /// Waits for the command to exit; fails when it did not exit with status 0.
    public func finish() throws {
        guard !finished else { return }
        finished = true
        process.waitUntilExit()
        errorsDone.wait()
        let message = errorTail.text
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw ClipStoreError("the capture command failed with status \(process.terminationStatus): \(message.prefix(500))")
        }
    }

    /// Stops the command (when the clip is abandoned).
    public func cancel() {
        guard !finished else { return }
        finished = true
        process.terminate()
        process.waitUntilExit()
    }

    deinit { cancel() }
}

/// The end of a stream of text, bounded.
private final class ErrorTail: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes: [UInt8] = []

    func append(_ data: Data) {
        lock.withLock {
            bytes += data
            if bytes.count > 4096 { bytes.removeFirst(bytes.count - 4096) }
        }
    }

    var text: String { lock.withLock { String(decoding: bytes, as: UTF8.self) } }
}
