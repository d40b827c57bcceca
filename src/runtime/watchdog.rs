//! A run's time limit ([`Context::timeout`](crate::Context::timeout)): one watchdog thread for
//! the process, and a signal that interrupts the charm wherever it is waiting.
//!
//! Why a signal, and why the run's thread must be Python's main thread (CPython 3.11, checked
//! on 3.13 too): an asynchronous exception (`PyThreadState_SetAsyncExc`) is seen only between
//! bytecodes, never inside a blocking C call (`time.sleep`, a socket's `recv` or `connect`,
//! `select`, a lock). A signal makes such a call return EINTR, and CPython then retries it
//! (PEP 475) unless `PyErr_CheckSignals` raises, which it does only by running a Python signal
//! handler, and only on Python's main thread: elsewhere the call resumes as if nothing
//! happened. So for the length of a timed run:
//! - the run's thread is Python's main thread. It is already under the CLI, nextest (one test
//!   per process) and pytest; under `cargo test` runs come from its test threads, so the run
//!   takes the role for its duration ([`ClaimedMain`]: CPython's record of its main thread,
//!   `_PyRuntime.main_thread`, found once at start-up), and gives it back after;
//! - a Python handler for [`timeout_signal`] is installed (and the previous one put back after);
//! - the watchdog sends that signal to the run's thread once the limit passes (and again every
//!   [`AGAIN_AFTER`] while the run goes on, for a charm that swallows the exception with a bare
//!   `except:`); the handler raises the shim's `RunTimeout` in the charm's frame.
//!
//! CPython 3.13 marks a signal pending in the main thread's own thread state
//! (`_PyRuntime.main_tstate`), which a claimed thread does not read: there a blocking call is
//! interrupted (its EINTR path checks the main thread's ident), a pure-Python loop is not.
//! So when the run goes on [`AGAIN_AFTER`] past the first signal, the watchdog also raises
//! `RunTimeout` in the run's thread as an asynchronous exception
//! (`PyThreadState_SetAsyncExc`), which any thread's eval loop sees between bytecodes.
//!
//! Per run this costs an `_signal.signal` call each way (about a µs for both) and two
//! uncontended mutex locks: the watchdog thread is woken only when a run's deadline is earlier
//! than the one it sleeps until.

use std::ffi::{c_int, c_ulong, c_void};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use pyo3::prelude::*;
use pyo3::types::PyTuple;

use super::interpreter::Shim;
use crate::error::{Error, Result};

/// The signal that interrupts a run: a real-time signal (Linux's `SIGRTMAX - 3`), which
/// nothing else in a test process is likely to use, whose default action is never taken (it
/// is only sent while the run's handler is installed).
pub(crate) fn timeout_signal() -> c_int {
    #[cfg(target_os = "linux")]
    {
        libc::SIGRTMAX() - 3
    }
    #[cfg(not(target_os = "linux"))]
    {
        libc::SIGUSR2
    }
}

/// How often the signal is sent again after the first, while the run goes on.
const AGAIN_AFTER: Duration = Duration::from_millis(500);

/// Whether the current run's limit has passed: the handler raises only then (a signal that
/// arrives as the run ends finds it false and does nothing).
static OVERDUE: AtomicBool = AtomicBool::new(false);

/// The current run's limit, for the message.
static LIMIT_NANOS: AtomicU64 = AtomicU64::new(0);

/// The current (or last) run's limit in seconds, for a `RunTimeout` raised without one.
pub(crate) fn limit_seconds() -> f64 {
    Duration::from_nanos(LIMIT_NANOS.load(Ordering::Relaxed)).as_secs_f64()
}

/// The run the watchdog watches.
struct Armed {
    deadline: Instant,
    thread: libc::pthread_t,
    /// Set by `breakpoint()`: the user is in pdb, the run has no limit any more.
    paused: bool,
    fired: bool,
    /// Whether [`Watchdog::raise_async`] raised `RunTimeout` in the run's thread.
    raised_async: bool,
    /// Python's ident of the run's thread, for [`Watchdog::raise_async`].
    ident: c_ulong,
}

/// How a watched run ended, as the watchdog saw it.
#[derive(Clone, Copy, Default)]
struct Ended {
    /// Its limit passed (the watchdog signalled it).
    fired: bool,
    /// The watchdog also raised `RunTimeout` asynchronously in its thread.
    raised_async: bool,
}

/// When the watchdog thread next looks at the state by itself.
#[derive(Clone, Copy)]
enum Sleep {
    /// It is running, or not yet started: it will look before it sleeps.
    Awake,
    Forever,
    Until(Instant),
}

struct State {
    armed: Option<Armed>,
    sleep: Sleep,
}

struct Watchdog {
    state: Mutex<State>,
    wake: Condvar,
}

static WATCHDOG: OnceLock<std::result::Result<&'static Watchdog, String>> = OnceLock::new();

impl Watchdog {
    /// The process's watchdog, its thread started on first use.
    fn get() -> Result<&'static Watchdog> {
        WATCHDOG
            .get_or_init(|| {
                let watchdog: &'static Watchdog = Box::leak(Box::new(Watchdog {
                    state: Mutex::new(State {
                        armed: None,
                        sleep: Sleep::Awake,
                    }),
                    wake: Condvar::new(),
                }));
                std::thread::Builder::new()
                    .name("ops-scenario-watchdog".into())
                    .spawn(move || watchdog.watch())
                    .map(|_| watchdog)
                    .map_err(|e| format!("cannot start the run watchdog's thread: {e}"))
            })
            .clone()
            .map_err(Error::runtime)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The watchdog thread: sleep until the armed run's deadline, then signal its thread.
    fn watch(&self) {
        let mut state = self.lock();
        loop {
            let now = Instant::now();
            let mut raise_in = None;
            let next = match &mut state.armed {
                Some(run) if !run.paused => {
                    if now >= run.deadline {
                        OVERDUE.store(true, Ordering::SeqCst);
                        // The signal was sent before and the run goes on: also raise in the
                        // thread between bytecodes (see `raise_async`).
                        if run.fired {
                            raise_in = Some(run.ident);
                        }
                        run.fired = true;
                        run.deadline = now + AGAIN_AFTER;
                        // Sent under the lock: `disarm` takes it before the run's handler is
                        // removed, so the signal never finds the default action (which for a
                        // real-time signal ends the process).
                        unsafe { libc::pthread_kill(run.thread, timeout_signal()) };
                    }
                    Some(run.deadline)
                }
                _ => None,
            };
            if let Some(ident) = raise_in {
                // Attach without the lock held: the run's thread takes the lock (in `disarm`)
                // while attached.
                drop(state);
                self.raise_async(ident);
                state = self.lock();
                continue;
            }
            state.sleep = next.map_or(Sleep::Forever, Sleep::Until);
            state = match next {
                None => self
                    .wake
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner),
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    self.wake
                        .wait_timeout(state, left)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0
                }
            };
            state.sleep = Sleep::Awake;
        }
    }

    /// Raise `RunTimeout` in the run's thread as an asynchronous exception, which CPython
    /// checks between bytecodes in that thread's own state. The signal is what interrupts a
    /// blocking call; this is what reaches a pure-Python loop where the signal's handler does
    /// not run (CPython 3.13 marks a pending signal in the original main thread's state, which
    /// a claimed thread does not read). Done under the GIL and then the lock, the order the
    /// run's thread takes them in: a run disarmed meanwhile is left alone, and `disarm`
    /// clears an exception raised just before it.
    fn raise_async(&self, ident: c_ulong) {
        Python::attach(|py| {
            let Ok(shim) = Shim::get(py) else {
                return;
            };
            let mut state = self.lock();
            let Some(run) = state
                .armed
                .as_mut()
                .filter(|run| run.ident == ident && !run.paused)
            else {
                return;
            };
            if OVERDUE.load(Ordering::SeqCst) {
                run.raised_async = true;
                // SAFETY: attached; the type is a live exception class the Shim holds.
                unsafe {
                    pyo3::ffi::PyThreadState_SetAsyncExc(
                        ident as std::ffi::c_long,
                        shim.run_timeout.as_ptr(),
                    );
                }
            }
        });
    }

    fn arm(&self, limit: Duration, deadline: Instant) {
        LIMIT_NANOS.store(
            u64::try_from(limit.as_nanos()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
        OVERDUE.store(false, Ordering::SeqCst);
        let mut state = self.lock();
        state.armed = Some(Armed {
            deadline,
            thread: unsafe { libc::pthread_self() },
            paused: false,
            fired: false,
            raised_async: false,
            // SAFETY: no preconditions; the run's thread is attached (CPython's ident).
            ident: unsafe { pyo3::ffi::PyThread_get_thread_ident() },
        });
        let wake = match state.sleep {
            Sleep::Awake => false,
            Sleep::Forever => true,
            Sleep::Until(until) => until > deadline,
        };
        drop(state);
        if wake {
            self.wake.notify_one();
        }
    }

    /// Stop watching the run; how it ended.
    fn disarm(&self) -> Ended {
        let ended = self
            .lock()
            .armed
            .take()
            .map_or(Ended::default(), |run| Ended {
                fired: run.fired,
                raised_async: run.raised_async,
            });
        OVERDUE.store(false, Ordering::SeqCst);
        ended
    }

    fn pause(&self) {
        if let Some(run) = &mut self.lock().armed {
            run.paused = true;
        }
    }
}

/// The thread that started the interpreter, if the engine did (under a Python host, the host
/// did, on its main thread).
static STARTING_THREAD: OnceLock<c_ulong> = OnceLock::new();

/// Note the current thread as the one about to start the interpreter (called before the
/// first attach): CPython records it as its main thread.
pub(crate) fn note_starting_thread() {
    // SAFETY: pthread_self has no preconditions; CPython's thread ident on POSIX is
    // `(unsigned long)pthread_self()`.
    STARTING_THREAD.get_or_init(|| unsafe { libc::pthread_self() } as c_ulong);
}

/// The address of `_PyRuntime.main_thread`, found once; `None` if this CPython's runtime
/// state is not laid out as expected.
static MAIN_THREAD_SLOT: OnceLock<Option<usize>> = OnceLock::new();

/// Find CPython's record of its main thread: in `_PyRuntime` (an exported symbol), the word
/// that follows the `interpreters.head`/`interpreters.main` pair (both the main interpreter)
/// within a few words (3.11: 4, after `next_id` and `xidregistry`; 3.12 and 3.13: 2) and holds
/// the main thread's ident. Only a word that holds exactly that ident is ever taken.
fn find_main_thread_slot(py: Python<'_>) -> Option<usize> {
    let mut idents: Vec<usize> = STARTING_THREAD
        .get()
        .map(|&t| t as usize)
        .into_iter()
        .collect();
    if let Ok(ident) = py
        .import("threading")
        .and_then(|t| t.call_method0("main_thread"))
        .and_then(|t| t.getattr("ident"))
        .and_then(|i| i.extract::<usize>())
    {
        idents.push(ident);
    }
    // SAFETY: dlsym with RTLD_DEFAULT looks a name up in the loaded objects; the symbols are
    // CPython's (its runtime state, and a function taking nothing).
    unsafe {
        let runtime = libc::dlsym(libc::RTLD_DEFAULT, c"_PyRuntime".as_ptr()) as *const usize;
        let main = libc::dlsym(libc::RTLD_DEFAULT, c"PyInterpreterState_Main".as_ptr());
        if runtime.is_null() || main.is_null() {
            return None;
        }
        let main: extern "C" fn() -> *mut c_void = std::mem::transmute(main);
        let interpreter = main() as usize;
        // _PyRuntime is tens of KiB (it holds the interpreter's static objects).
        const WORDS: usize = 512;
        let word = |i: usize| std::ptr::read_volatile(runtime.add(i));
        for i in 1..WORDS - 8 {
            if word(i) == interpreter && word(i - 1) == interpreter {
                return (i + 1..=i + 6)
                    .find(|&j| idents.contains(&word(j)))
                    .map(|j| runtime.add(j) as usize);
            }
        }
        None
    }
}

/// The run's thread in the role of Python's main thread; the thread that had it gets it back
/// on drop.
struct ClaimedMain {
    slot: *mut c_ulong,
    previous: c_ulong,
}

impl ClaimedMain {
    /// Make the current thread Python's main thread, if it is not; `None` if it is already
    /// (or if CPython's record of it cannot be found: then `signal.signal` says so).
    fn claim(py: Python<'_>) -> Option<ClaimedMain> {
        let slot = (*MAIN_THREAD_SLOT.get_or_init(|| find_main_thread_slot(py)))? as *mut c_ulong;
        // SAFETY: the slot is `_PyRuntime.main_thread` (see find_main_thread_slot), read and
        // written under the GIL, as CPython's own checks read it.
        unsafe {
            let me = pyo3::ffi::PyThread_get_thread_ident();
            let previous = std::ptr::read_volatile(slot);
            if previous == me {
                return None;
            }
            std::ptr::write_volatile(slot, me);
            Some(ClaimedMain { slot, previous })
        }
    }
}

impl Drop for ClaimedMain {
    fn drop(&mut self) {
        // SAFETY: as in `claim`; the GIL is held (the run is attached).
        unsafe { std::ptr::write_volatile(self.slot, self.previous) };
    }
}

/// The Rust object the shim's signal handler and `breakpoint()` hook reach: raises the
/// run's timeout in the charm's frame; pauses the limit while the user is in pdb.
#[pyclass(module = "ops_scenario", frozen)]
pub(crate) struct RunWatchdog;

#[pymethods]
impl RunWatchdog {
    /// The handler of [`timeout_signal`]: raise `RunTimeout(where, seconds)` if the run's
    /// limit has passed.
    fn __call__(&self, py: Python<'_>, _signum: c_int, frame: Bound<'_, PyAny>) -> PyResult<()> {
        if !OVERDUE.load(Ordering::SeqCst) {
            return Ok(());
        }
        let shim = Shim::get(py)?;
        let place = shim.where_interrupted.bind(py).call1((frame,))?;
        let limit = Duration::from_nanos(LIMIT_NANOS.load(Ordering::Relaxed)).as_secs_f64();
        Err(PyErr::from_type(
            shim.run_timeout.bind(py).clone(),
            PyTuple::new(py, [place, limit.into_pyobject(py)?.into_any()])?.unbind(),
        ))
    }

    /// `sys.breakpointhook` during a run. A method of Rust's, so that it adds no Python frame
    /// (pdb stops in the frame that called `breakpoint()`, its caller's). Unless
    /// `PYTHONBREAKPOINT=0` (read from the environment, as `sys.__breakpointhook__` does)
    /// makes `breakpoint()` a no-op, the run has no limit from here on (the user is in pdb),
    /// and the hook the run replaced is called.
    #[pyo3(signature = (*args, **kwargs))]
    fn breakpointhook<'py>(
        &self,
        py: Python<'py>,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, pyo3::types::PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        if std::env::var_os("PYTHONBREAKPOINT").is_some_and(|v| v == "0") {
            return Ok(py.None().into_bound(py));
        }
        if let Some(Ok(watchdog)) = WATCHDOG.get() {
            watchdog.pause();
        }
        let debugging = py.import("_scenario_watchdog")?.getattr("debugging")?;
        debugging.call_method0("note_sigint")?;
        debugging.getattr("previous")?.call(args, kwargs)
    }
}

/// A run's time limit while it is armed: installed by [`Timed::start`], taken out by
/// [`Timed::disarm`] (the watchdog stops) and on drop (the handler and the main thread's role
/// go back).
pub(crate) struct Timed<'py> {
    py: Python<'py>,
    active: Option<Active>,
}

struct Active {
    watchdog: &'static Watchdog,
    armed: bool,
    previous_handler: Py<PyAny>,
    /// Dropped last: the handler goes back while the thread is still Python's main one.
    _main: Option<ClaimedMain>,
}

impl<'py> Timed<'py> {
    /// Arm `limit` for the run on this thread (nothing if `None`).
    ///
    /// # Errors
    /// [`Error::Runtime`] if the watchdog thread cannot start, or the handler cannot be
    /// installed for another reason than this thread not being Python's main one (then the
    /// run goes on without a limit: see the module's doc).
    pub(crate) fn start(py: Python<'py>, shim: &Shim, limit: Option<Duration>) -> Result<Self> {
        // No limit, or one beyond what the clock can count (`Duration::MAX`): none.
        let Some((limit, deadline)) =
            limit.and_then(|limit| Some((limit, Instant::now().checked_add(limit)?)))
        else {
            return Ok(Timed { py, active: None });
        };
        let watchdog = Watchdog::get()?;
        let main = ClaimedMain::claim(py);
        let installed = shim
            .signal_signal
            .bind(py)
            .call1((timeout_signal(), shim.watchdog.bind(py)));
        let previous_handler = match installed {
            Ok(previous) => previous.unbind(),
            Err(e) if e.is_instance_of::<pyo3::exceptions::PyValueError>(py) => {
                // Not Python's main thread, and its record could not be found.
                return Ok(Timed { py, active: None });
            }
            Err(e) => {
                return Err(Error::runtime(format!(
                    "cannot install the run's timeout handler: {e}"
                )))
            }
        };
        watchdog.arm(limit, deadline);
        Ok(Timed {
            py,
            active: Some(Active {
                watchdog,
                armed: true,
                previous_handler,
                _main: main,
            }),
        })
    }

    /// Stop the limit (the charm's part of the run is over). A signal the watchdog sent as
    /// the run ended is handled here, doing nothing, rather than later in someone else's code.
    pub(crate) fn disarm(&mut self) {
        let Some(active) = &mut self.active else {
            return;
        };
        let was_armed = std::mem::replace(&mut active.armed, false);
        let ended = if was_armed {
            active.watchdog.disarm()
        } else {
            Ended::default()
        };
        if ended.raised_async {
            // An asynchronous `RunTimeout` the watchdog raised as the run ended is delivered
            // here, and dropped, not raised later in the engine's or someone else's code: the
            // eval loop checks for one on entering code. (Clearing it with
            // `PyThreadState_SetAsyncExc(ident, NULL)` instead leaves CPython 3.11's eval
            // breaker signalled with nothing to deliver, and under a trace function, as
            // `coverage` installs, the next call then spins for ever.)
            // (Any other exception this raises is a pending signal's, which the signal
            // check below would drop as well.)
            drop(self.py.run(c"pass", None, None));
        }
        let fired = ended.fired;
        if fired {
            // The watchdog sent its last signal before `disarm` got the lock, so the signal is
            // pending on this thread: a system call's return delivers it, to the run's handler
            // still installed (never to the default action, which would end the process).
            // SAFETY: sched_yield has no preconditions.
            unsafe { libc::sched_yield() };
            // SAFETY: attached; runs pending Python signal handlers (ours finds OVERDUE false).
            if unsafe { pyo3::ffi::PyErr_CheckSignals() } != 0 {
                drop(PyErr::take(self.py));
            }
        }
    }
}

impl Drop for Timed<'_> {
    fn drop(&mut self) {
        self.disarm();
        if let Some(active) = self.active.take() {
            let py = self.py;
            if let Ok(shim) = Shim::get(py) {
                // `None`: the handler was not set from Python; Python's `SIG_DFL` is 0.
                let previous = active.previous_handler.bind(py);
                let signal = shim.signal_signal.bind(py);
                let _ = if previous.is_none() {
                    signal.call1((timeout_signal(), 0))
                } else {
                    signal.call1((timeout_signal(), previous))
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pythons_record_of_its_main_thread_is_found_and_taken_back() {
        super::super::lock::with_python(|py| {
            let slot = MAIN_THREAD_SLOT
                .get_or_init(|| find_main_thread_slot(py))
                .expect("_PyRuntime.main_thread is found") as *const c_ulong;
            // SAFETY: as in ClaimedMain.
            let read = || unsafe { std::ptr::read_volatile(slot) };
            let main = read();
            let me = unsafe { pyo3::ffi::PyThread_get_thread_ident() };
            let claimed = ClaimedMain::claim(py);
            assert_eq!(read(), me);
            // Python agrees: only its main thread may set a signal handler.
            let signal = py.import("signal").unwrap();
            let handler = signal
                .call_method1("getsignal", (timeout_signal(),))
                .unwrap();
            signal
                .call_method1("signal", (timeout_signal(), handler))
                .unwrap();
            assert_eq!(claimed.is_some(), main != me);
            drop(claimed);
            assert_eq!(read(), main);
        });
    }
}
