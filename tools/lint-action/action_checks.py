"""Checks of action.yml that the schema and actionlint cannot make alone.

Usage: action_checks.py ACTION_YML WORKFLOW_OUT EXAMPLE_WORKFLOW...

- Writes WORKFLOW_OUT: the composite action's steps as the one job of a
  workflow whose `workflow_call` inputs are the action's inputs and whose
  job outputs are the action's outputs, so actionlint checks every
  expression of the action (each `inputs.X` declared, each `steps.ID`
  defined before use, the inputs of actions/cache, upload-artifact and
  download-artifact) as it checks a workflow.
- Checks that every example workflow step using this action (`uses:` ending
  in `/interspec@REF`, or `./`) passes only declared inputs.

Runs in the linters' virtual environment (ruamel.yaml comes with
check-jsonschema). Exits 1 on a finding, printing each.
"""

import re
import sys

from ruamel.yaml import YAML


def load(path):
    yaml = YAML(typ="safe")
    with open(path, encoding="utf-8") as f:
        return yaml.load(f)


def as_workflow(action):
    inputs = action.get("inputs") or {}
    outputs = action.get("outputs") or {}
    runs = action.get("runs") or {}
    if runs.get("using") != "composite":
        raise SystemExit("action.yml: runs.using is not composite")
    # Each input becomes a string input of the reusable workflow; the
    # action's defaults may use the github context, which workflow_call
    # input defaults may not, so they stay out.
    call_inputs = {
        name: {"type": "string", "required": False, "description": spec.get("description", "")}
        for name, spec in inputs.items()
    }
    job = {
        "runs-on": "ubuntu-latest",
        "outputs": {name: spec["value"] for name, spec in outputs.items()},
        "steps": runs.get("steps") or [],
    }
    return {
        "name": "action.yml as a workflow (tools/lint-action.sh)",
        "on": {"workflow_call": {"inputs": call_inputs}},
        "jobs": {"action": job},
    }


def check_examples(action, examples):
    declared = set((action.get("inputs") or {}).keys())
    required = {n for n, s in (action.get("inputs") or {}).items() if s.get("required")}
    findings = []
    uses_this = re.compile(r"(^\./?$)|(/interspec@[^/]+$)")
    found = 0
    for path in examples:
        workflow = load(path)
        for job_name, job in (workflow.get("jobs") or {}).items():
            for k, step in enumerate(job.get("steps") or []):
                if not uses_this.search(str(step.get("uses", ""))):
                    continue
                found += 1
                given = set((step.get("with") or {}).keys())
                for name in sorted(given - declared):
                    findings.append(f"{path}: job {job_name} step {k + 1}: input {name!r} is not declared in action.yml")
                for name in sorted(required - given):
                    findings.append(f"{path}: job {job_name} step {k + 1}: required input {name!r} is missing")
    if examples and found == 0:
        findings.append("no example workflow step uses the interspec action")
    return findings


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    action_path, out_path, examples = sys.argv[1], sys.argv[2], sys.argv[3:]
    action = load(action_path)
    findings = []
    for name, spec in (action.get("inputs") or {}).items():
        if not (spec or {}).get("description"):
            findings.append(f"{action_path}: input {name!r} has no description")
    yaml = YAML()
    yaml.default_flow_style = False
    with open(out_path, "w", encoding="utf-8") as f:
        yaml.dump(as_workflow(action), f)
    findings += check_examples(action, examples)
    for finding in findings:
        print(finding)
    sys.exit(1 if findings else 0)


if __name__ == "__main__":
    main()
