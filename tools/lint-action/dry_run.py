"""Runs action.yml's own shell steps on this machine, offline, with a built
interspec: three `certify` shards of one run and the `merge` job, as the
example workflow would, and checks what the action says and leaves.

Usage: dry_run.py ACTION_YML INTERSPEC_BINARY WORK_DIR

The runner is played here, not emulated in full: each step's `if` and
`${{ }}` expressions are evaluated with the few constructs action.yml uses
(contexts, string literals, ==, !=, &&, ||, always(), format()), `run`
steps run under bash with GITHUB_OUTPUT, GITHUB_PATH, GITHUB_STEP_SUMMARY
and GITHUB_ACTION_PATH set, and the three `uses` steps are played by
stand-ins: actions/cache always misses, upload-artifact copies the folder
into WORK_DIR/artifacts/NAME, download-artifact copies the artifacts that
match its pattern back. The `binary` input is set, so nothing is built.
Exits 1 when a check fails.
"""

import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys

from ruamel.yaml import YAML

CONTEXT = re.compile(r"\b(inputs|steps|runner|github)((?:\.[A-Za-z0-9_-]+)+)")


class Runner:
    def __init__(self, action_path, work, inputs, github):
        yaml = YAML(typ="safe")
        with open(action_path, encoding="utf-8") as f:
            self.action = yaml.load(f)
        self.action_dir = os.path.dirname(os.path.abspath(action_path))
        self.work = work
        self.github = github
        self.inputs = {}
        for name, spec in (self.action.get("inputs") or {}).items():
            default = str(spec.get("default", ""))
            self.inputs[name] = self.interpolate(default) if "${{" in default else default
        self.inputs.update(inputs)
        self.steps = {}
        self.failed = False
        self.path_extra = []

    def lookup(self, dotted):
        head, *rest = dotted.split(".")
        if head == "inputs":
            return self.inputs.get(rest[0], "")
        if head == "runner":
            return {"os": "Linux", "arch": "X64"}.get(rest[0], "")
        if head == "github":
            return self.github.get(rest[0], "")
        if head == "steps" and len(rest) == 3 and rest[1] == "outputs":
            return self.steps.get(rest[0], {}).get(rest[2], "")
        raise SystemExit(f"dry run: unknown context {dotted}")

    def evaluate(self, expr):
        python = CONTEXT.sub(lambda m: f"ctx({(m.group(1) + m.group(2))!r})", expr)
        python = python.replace("&&", " and ").replace("||", " or ").replace("!", " not ")
        python = python.replace(" not =", " !=")
        env = {
            "ctx": self.lookup,
            "always": lambda: True,
            "success": lambda: not self.failed,
            "failure": lambda: self.failed,
            "format": lambda f, *a: re.sub(r"\{(\d+)\}", lambda m: str(a[int(m.group(1))]), f),
        }
        return eval(python, {"__builtins__": {}}, env)  # noqa: S307 (our own file's expressions)

    def interpolate(self, text):
        return re.sub(r"\$\{\{(.*?)\}\}", lambda m: str(self.evaluate(m.group(1).strip())), str(text))

    def run(self):
        for step in self.action["runs"]["steps"]:
            # As on GitHub, a condition without a status function is
            # `success() && (condition)`.
            condition = str(step.get("if", "success()"))
            if not re.search(r"\b(always|success|failure|cancelled)\(", condition):
                condition = f"success() && ({condition})"
            if not self.evaluate(condition):
                continue
            ok, outputs = self.run_step(step)
            if "id" in step:
                self.steps[step["id"]] = outputs
            if not ok:
                self.failed = True
        return {name: self.interpolate(spec["value"]) for name, spec in self.action["outputs"].items()}

    def run_step(self, step):
        with_ = {k: self.interpolate(v) for k, v in (step.get("with") or {}).items()}
        uses = step.get("uses")
        if uses:
            return self.play(uses, with_)
        if "cargo install" in step["run"]:
            # The binary input is set: building is a bug of the action here.
            print(f"dry run: step {step.get('name')!r} would build interspec")
            return False, {}
        out_file = os.path.join(self.work, "github_output")
        path_file = os.path.join(self.work, "github_path")
        open(out_file, "w").close()
        open(path_file, "w").close()
        env = dict(os.environ)
        env.update({k: self.interpolate(v) for k, v in (step.get("env") or {}).items()})
        env.update(
            GITHUB_OUTPUT=out_file,
            GITHUB_PATH=path_file,
            GITHUB_STEP_SUMMARY=os.path.join(self.work, "summary.md"),
            GITHUB_ACTION_PATH=self.action_dir,
            RUNNER_TEMP=os.path.join(self.work, "runner_temp"),
            PATH=os.pathsep.join(self.path_extra + [os.environ["PATH"]]),
        )
        os.makedirs(env["RUNNER_TEMP"], exist_ok=True)
        code = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], env=env, cwd=self.work).returncode
        with open(path_file, encoding="utf-8") as f:
            self.path_extra = [line.strip() for line in f if line.strip()] + self.path_extra
        with open(out_file, encoding="utf-8") as f:
            outputs = dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)
        return code == 0, outputs

    def play(self, uses, with_):
        artifacts = os.path.join(os.path.dirname(self.work), "artifacts")
        if uses.startswith("actions/cache@"):
            return True, {"cache-hit": "false"}
        if uses.startswith("actions/upload-artifact@"):
            source = os.path.join(self.work, with_["path"])
            if os.path.isdir(source):
                shutil.copytree(source, os.path.join(artifacts, with_["name"]), dirs_exist_ok=True)
            return True, {}
        if uses.startswith("actions/download-artifact@"):
            for name in sorted(os.listdir(artifacts)) if os.path.isdir(artifacts) else []:
                if fnmatch.fnmatch(name, with_["pattern"]):
                    target = os.path.join(self.work, with_["path"], name)
                    shutil.copytree(os.path.join(artifacts, name), target)
            return True, {}
        raise SystemExit(f"dry run: no stand-in for {uses}")


def main():
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    action, binary, root = sys.argv[1], os.path.abspath(sys.argv[2]), sys.argv[3]
    github = {"run_id": "4242"}
    failures = []

    def check(condition, what):
        print(("ok   " if condition else "FAIL ") + what)
        if not condition:
            failures.append(what)

    def job(name, inputs):
        work = os.path.join(root, name)
        os.makedirs(work)
        runner = Runner(action, work, dict(inputs, binary=binary), github)
        outputs = runner.run()
        summary_path = os.path.join(work, "summary.md")
        summary = open(summary_path, encoding="utf-8").read() if os.path.exists(summary_path) else ""
        return runner.failed, outputs, summary

    # A profile that requires the adapter suite only, so one suite of three
    # merged shards can certify.
    profile = os.path.join(os.path.abspath(root), "adapter-only.toml")
    default = os.path.join(os.path.dirname(os.path.abspath(action)), "suites", "profiles", "default.toml")
    with open(default, encoding="utf-8") as f:
        text = f.read()
    text = re.sub(r'(?m)^name = .*$', 'name = "adapter-only"', text)
    text = re.sub(r"(?m)^required_suites = .*$", 'required_suites = ["adapter"]', text)
    os.makedirs(root, exist_ok=True)
    with open(profile, "w", encoding="utf-8") as f:
        f.write(text)

    common = {"target": "builtin", "suites": "adapter", "profile": profile}
    for k in (1, 2, 3):
        failed, out, summary = job(f"shard-{k}", dict(common, shard=f"{k}/3", out=f"reports/shard-{k}"))
        check(not failed and out["verdict"] == "incomplete", f"shard {k}/3: INCOMPLETE accepted ({out})")
        check("one shard" in summary, f"shard {k}/3: its report.md in the step summary")
        artifact = os.path.join(root, "artifacts", f"interspec-shard-{k}-of-3", "report.json")
        check(os.path.isfile(artifact), f"shard {k}/3: reports uploaded as interspec-shard-{k}-of-3")

    failed, out, summary = job("merge", {"mode": "merge", "out": "reports"})
    check(not failed and out["verdict"] == "certified", f"merge: three shards, one CERTIFIED verdict ({out})")
    check(
        "CERTIFIED" in summary and "one shard" not in summary,
        "merge: the merged report.md (not a shard's) in the step summary",
    )
    merged = os.path.join(root, "artifacts", "interspec-merged", "report.json")
    with open(merged, encoding="utf-8") as f:
        check(json.load(f)["run"]["merged_shards"] == 3, "merge: merged reports uploaded as interspec-merged")

    # Under the default profile, one suite is not a certificate: the merge
    # job fails, saying INCOMPLETE.
    subset = {"target": "builtin", "suites": "adapter", "artifact-prefix": "subset"}
    for k in (1, 2):
        job(f"subset-{k}", dict(subset, shard=f"{k}/2", out=f"reports/subset-{k}"))
    failed, out, _ = job("subset-merge", {"mode": "merge", "out": "reports", "artifact-prefix": "subset"})
    check(failed and out["verdict"] == "incomplete", f"merge of a suite subset: INCOMPLETE fails the job ({out})")
    failed, out, _ = job("empty-merge", {"mode": "merge", "out": "reports", "artifact-prefix": "none"})
    check(failed and out["exit-code"] == "2", f"merge without shard reports fails ({out})")

    failed, out, _ = job(
        "mutant", dict(subset, target="builtin:mutant/adapter-reset-keeps-state", shard="1/1", out="reports/m")
    )
    check(failed and out["verdict"] == "not-certified" and out["exit-code"] == "1", f"a caught mutant fails its job ({out})")
    failed, out, _ = job("whole", dict(subset, out="reports/w", **{"allow-incomplete": "false"}))
    check(failed and out["verdict"] == "incomplete", f"allow-incomplete false: exit 4 fails ({out})")
    failed, out, _ = job("no-target", {"out": "reports/n"})
    check(failed and out["verdict"] == "not-run", f"certify without a target is refused ({out})")
    failed, out, _ = job("bad-args", dict(subset, out="reports/b", args="--filter 'unclosed"))
    check(failed and out["exit-code"] == "2", f"args with an unmatched quote are refused ({out})")
    failed, out, _ = job("args", dict(subset, out="reports/a", args="--filter 'AD-00[15]' --jobs 1"))
    with open(os.path.join(root, "args", "reports", "a", "report.json"), encoding="utf-8") as f:
        filters = json.load(f)["run"]["filters"]
    check(not failed and filters == ["AD-00[15]"], f"args reach certify, quoted as a shell would ({filters})")

    print(f"dry run: {len(failures)} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
