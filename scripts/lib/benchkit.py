"""What the scripts that drive a real `smspartner-notify` share: the local fake SMSPartner, an
environment of their own, `serve` on a free loopback port, and waiting for its outbox to drain.

Imported by scripts/bench-serve, scripts/probe-serve and scripts/symbol-order (which run from the repository root)."""
import json, os, re, subprocess, threading, time

API_KEY = "test-key-0123456789abcdef"
NO_LIMITS = "rate_limits: []\nhourly_cap: off\ndaily_cap: off\n"


def first_line(child, seconds):
    """The child's first line of output ('' if it says nothing within `seconds`: it is killed)."""
    timer = threading.Timer(seconds, child.kill)
    timer.start()
    line = child.stdout.readline()
    timer.cancel()
    return line


def start_fake(bin_dir):
    """The fake SMSPartner of scripts' builds, and its base URL ('' if it did not start).
    It runs until its stdin is closed."""
    fake = subprocess.Popen([f"{bin_dir}/fake-smspartner"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    url = first_line(fake, 30).strip()
    return fake, url if url.startswith("http://") else ""


def environment(work, name, config, url):
    """A clean environment whose configuration (`config`, YAML) and state live under work/name*."""
    path = os.path.join(work, f"{name}.yml")
    with open(path, "w") as f:
        f.write(config)
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": work, "SMSPARTNER_API_URL": url,
            "SMSPARTNER_API_KEY": API_KEY, "SMSPARTNER_STATE_DIR": os.path.join(work, name),
            "SMSPARTNER_NOTIFY_CONFIG": path}


def start_serve(command, env, seconds):
    """`command` (a `serve --listen 127.0.0.1:0 …` command line) started, and the host and port it
    says it listens on; (process, None, None) if it said nothing of the kind within `seconds`."""
    serve = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = first_line(serve, seconds)
    m = re.search(r"listening on (\S+):(\d+)", line)
    return (serve, m.group(1), int(m.group(2))) if m else (serve, None, None)


def wait_drained(bin_dir, env, seconds, interval):
    """Waits until nothing is queued or being sent in the state of `env`; the outbox counts
    `status` last showed if that takes more than `seconds`, else None."""
    deadline = time.time() + seconds
    while True:
        r = subprocess.run([f"{bin_dir}/smspartner-notify", "status", "--json", "--latest", "0"], env=env,
                           capture_output=True, text=True, timeout=60)
        outbox = json.loads(r.stdout)["outbox"] if r.returncode == 0 else {}
        if outbox.get("queued") == 0 and outbox.get("sending") == 0:
            return None
        if time.time() > deadline:
            return outbox
        time.sleep(interval)
