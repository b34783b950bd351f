//! Bounds on a run: the memory a batch worker may take, one batch at a time
//! per output directory, and Ctrl-C turned into a clean stop.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::diag::Text;
use crate::text;

/// The largest template file read (the built-ins are under 20 KB each).
pub const MAX_TEMPLATE_BYTES: u64 = 1 << 20;

/// Caps the memory this process may allocate (its data segment and private
/// mappings) at `bytes`: past it an allocation fails and the process ends,
/// which its batch reports as that document's failure.
pub fn cap_memory(bytes: u64) {
    let limit = libc::rlimit {
        rlim_cur: bytes as libc::rlim_t,
        rlim_max: bytes as libc::rlim_t,
    };
    // SAFETY: setrlimit reads the struct we pass and touches nothing else.
    unsafe {
        libc::setrlimit(libc::RLIMIT_DATA, &limit);
    }
}

/// The lock a batch holds on its output directory (`.yusuan-lock`, holding
/// the process id), removed when dropped. A lock left by a process that no
/// longer runs is taken over.
pub struct DirLock(PathBuf);

/// The lock file's name in an output directory.
pub const LOCK: &str = ".yusuan-lock";

impl DirLock {
    /// Takes the lock on `dir`, or says which process holds it.
    pub fn take(dir: &Path) -> Result<DirLock, Text> {
        use std::io::Write;
        let path = dir.join(LOCK);
        for _ in 0..2 {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut f) => {
                    let _ = write!(f, "{}", std::process::id());
                    return Ok(DirLock(path));
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let pid = std::fs::read_to_string(&path).unwrap_or_default();
                    let pid = pid.trim();
                    let alive =
                        !pid.is_empty() && Path::new("/proc").join(pid).exists() && pid != "0";
                    if alive {
                        let d = dir.display();
                        return Err(text!(
                            "另一个 yusuan（进程 {pid}）正在向 {d} 写入；等它结束，或换一个输出目录",
                            "another yusuan (process {pid}) is writing into {d}; wait for it or choose another directory"
                        ));
                    }
                    // Left by a run that is gone.
                    let _ = std::fs::remove_file(&path);
                }
                Err(e) => {
                    let d = dir.display();
                    return Err(text!("无法写入 {d}：{e}", "cannot write into {d}: {e}"));
                }
            }
        }
        let d = dir.display();
        Err(text!("无法锁定 {d}", "cannot lock {d}"))
    }
}

impl Drop for DirLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A flag set when the user presses Ctrl-C (or the process gets SIGTERM):
/// a batch then hands out no more documents and writes its report.
pub fn on_interrupt() -> Arc<AtomicBool> {
    static FLAG: std::sync::OnceLock<Arc<AtomicBool>> = std::sync::OnceLock::new();
    FLAG.get_or_init(|| {
        let flag = Arc::new(AtomicBool::new(false));
        let set = flag.clone();
        let _ = ctrlc::set_handler(move || set.store(true, Ordering::SeqCst));
        flag
    })
    .clone()
}

/// Marks a run started by [`run_bounded`]: it caps its own memory at
/// [`TEMPLATE_MEMORY_MB`] before anything else.
pub const BOUNDED: &str = "YUSUAN_BOUNDED";

/// The memory, in MB, of a run whose templates are not yusuan's own.
pub const TEMPLATE_MEMORY_MB: u64 = 2048;

/// The time a run whose templates are not yusuan's own may take.
pub const TEMPLATE_TIME: std::time::Duration = std::time::Duration::from_secs(120);

/// How a run of [`run_bounded`] ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Ended {
    /// It exited with this code.
    Exited(i32),
    /// It ran out of its memory.
    OutOfMemory,
    /// It took longer than allowed and was stopped.
    TimedOut,
}

/// Runs this program again with `args` in a child bounded in memory (it
/// caps itself, told by [`BOUNDED`]) and in `time` (stopped here). Its
/// messages are passed on when `forward` (less the allocator's last words),
/// else dropped.
pub fn run_bounded(
    args: &[std::ffi::OsString],
    time: std::time::Duration,
    forward: bool,
) -> std::io::Result<Ended> {
    use std::io::{BufRead, Write};
    use std::os::unix::process::ExitStatusExt;
    let exe = std::env::current_exe()?;
    let mut child = std::process::Command::new(exe)
        .args(args)
        .env(BOUNDED, "1")
        .stdout(if forward {
            std::process::Stdio::inherit()
        } else {
            std::process::Stdio::null()
        })
        .stderr(if forward {
            std::process::Stdio::piped()
        } else {
            std::process::Stdio::null()
        })
        .spawn()?;
    let stderr = child.stderr.take();
    let forward = std::thread::spawn(move || {
        let Some(stderr) = stderr else { return };
        let mut out = std::io::stderr().lock();
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            if !line.starts_with("memory allocation of ") {
                let _ = writeln!(out, "{line}");
            }
        }
    });
    let status = wait_or_kill(&mut child, time);
    let _ = forward.join();
    Ok(match status {
        None => Ended::TimedOut,
        Some(s) => match (s.code(), s.signal()) {
            (Some(code), _) => Ended::Exited(code),
            // The allocator aborts when the cap refuses it; the kernel kills.
            (None, Some(libc::SIGABRT | libc::SIGKILL | libc::SIGSEGV)) => Ended::OutOfMemory,
            (None, _) => Ended::Exited(1),
        },
    })
}

/// Waits for `child` up to `time`; past it, kills it. Its exit status, or
/// `None` when it was killed (or could not be waited for).
pub fn wait_or_kill(
    child: &mut std::process::Child,
    time: std::time::Duration,
) -> Option<std::process::ExitStatus> {
    let deadline = std::time::Instant::now() + time;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
        }
    }
}
