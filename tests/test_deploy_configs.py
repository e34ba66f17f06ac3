"""The cluster configurations in deploy/ (docs/scale.md): valid for the tools that read them, and
in step with constraints.txt, so a cluster runs the Ray and Python the project pins, and every node
sees the work directory at one path."""

import re
import tomllib
from pathlib import Path

import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
REPO = DEPLOY.parent
WORK_MOUNT = "/mnt/curation"


def _pin(package: str) -> str:
    match = re.search(rf"^{re.escape(package)}==(\S+)$", (REPO / "constraints.txt").read_text(), re.M)
    assert match, f"{package} is not pinned in constraints.txt"
    return match.group(1)


def _python() -> str:
    """The oldest Python the project supports, as "3.11"."""
    spec = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["requires-python"]
    return re.fullmatch(r">=(\d+\.\d+)", spec).group(1)


def _ray_up() -> dict:
    return yaml.safe_load((DEPLOY / "ray-up-aws.yaml").read_text())


def test_the_ray_up_config_passes_rays_own_schema_and_a_broken_one_does_not():
    pytest.importorskip("ray")
    import jsonschema
    from ray.autoscaler._private.util import prepare_config, validate_config

    # what `ray up` does with the file before it starts anything: the provider's defaults filled in,
    # then the schema
    validate_config(prepare_config(_ray_up()))
    broken = {**_ray_up(), "head_node_typ": "ray.head.default"}  # a misspelt key
    with pytest.raises(jsonschema.ValidationError, match="head_node_typ"):
        validate_config(prepare_config(broken))


def test_the_ray_up_nodes_install_the_pinned_project_and_mount_the_work_directory():
    config = _ray_up()
    setup = "\n".join(config["setup_commands"])
    assert f"python{_python()} -m venv" in setup
    assert "pip install" in setup and "-c ~/curation/constraints.txt" in setup and "[ray,s3]" in setup
    assert WORK_MOUNT in setup and "mount -t nfs4" in setup
    # ray itself comes from constraints.txt, through the project's [ray] extra: the same on every node
    for key in ("head_start_ray_commands", "worker_start_ray_commands"):
        assert all(cmd.startswith(("~/venv/bin/ray", "export RAY_AUTH_MODE=token;")) for cmd in config[key]), config[key]
        (start,) = [cmd for cmd in config[key] if "~/venv/bin/ray start" in cmd]
        # every node with token authentication on, from the token `ray up` copies to it
        assert start.startswith("export RAY_AUTH_MODE=token;"), start
    assert config["file_mounts"] == {"~/.ray/auth_token": "~/.ray/auth_token"}
    assert "export RAY_AUTH_MODE=token" in setup  # the driver's shells on the head


def _kuberay(name: str = "kuberay-raycluster.yaml") -> tuple[dict, dict]:
    docs = list(yaml.safe_load_all((DEPLOY / name).read_text()))
    by_kind = {d["kind"]: d for d in docs}
    assert set(by_kind) == {"PersistentVolumeClaim", "RayCluster"}, list(by_kind)
    return by_kind["PersistentVolumeClaim"], by_kind["RayCluster"]


def _pods(cluster: dict) -> list[dict]:
    spec = cluster["spec"]
    return [spec["headGroupSpec"]["template"]["spec"]] + [g["template"]["spec"] for g in spec["workerGroupSpecs"]]


def test_the_kuberay_cluster_runs_the_pinned_ray_and_every_pod_mounts_the_shared_volume():
    claim, cluster = _kuberay()
    assert cluster["apiVersion"] == "ray.io/v1"
    assert cluster["spec"]["rayVersion"] == _pin("ray")
    assert cluster["spec"]["authOptions"] == {"mode": "token"}  # the flow's tasks are code run on every node
    assert "ReadWriteMany" in claim["spec"]["accessModes"]  # every node writes the work directory
    images = set()
    for pod in _pods(cluster):
        volumes = {v["name"]: v for v in pod["volumes"]}
        (container,) = pod["containers"]
        images.add(container["image"])
        mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
        assert WORK_MOUNT in mounts, container["name"]
        assert volumes[mounts[WORK_MOUNT]]["persistentVolumeClaim"]["claimName"] == claim["metadata"]["name"]
        assert container["resources"]["requests"] == container["resources"]["limits"]  # no overcommitted CPUs
    assert len(images) == 1, images  # one build of the project everywhere
    for group in cluster["spec"]["workerGroupSpecs"]:
        assert group["minReplicas"] <= group["replicas"] <= group["maxReplicas"]


def test_the_kuberay_cluster_without_a_shared_volume_keeps_the_work_on_the_head_and_reaches_the_bucket():
    claim, cluster = _kuberay("kuberay-raycluster-s3.yaml")
    assert cluster["spec"]["rayVersion"] == _pin("ray")
    assert cluster["spec"]["authOptions"] == {"mode": "token"}
    assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]  # one pod's disk: no shared storage class
    head, *workers = _pods(cluster)
    assert cluster["spec"]["headGroupSpec"]["rayStartParams"]["num-cpus"] == "0"  # the work's disk runs no task
    (container,) = head["containers"]
    assert {m["mountPath"]: m["name"] for m in container["volumeMounts"]} == {WORK_MOUNT: "work"}
    assert head["volumes"] == [{"name": "work", "persistentVolumeClaim": {"claimName": claim["metadata"]["name"]}}]
    accounts = {head["serviceAccountName"]}
    for pod in workers:
        (container,) = pod["containers"]
        assert all("persistentVolumeClaim" not in v for v in pod["volumes"])  # nothing shared
        scratch = {e["name"]: e["value"] for e in container["env"]}["CURATION_TASK_DIR"]
        mounted = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
        assert "emptyDir" in {v["name"]: v for v in pod["volumes"]}[mounted[scratch]]  # tasks' files on local disk
        assert container["resources"]["requests"] == container["resources"]["limits"]
        accounts.add(pod["serviceAccountName"])
    assert len(accounts) == 1  # every pod reads and writes the bucket as one identity


def test_the_image_is_rays_at_the_pinned_ray_and_python_with_the_project_installed_from_its_constraints():
    text = (DEPLOY / "Dockerfile").read_text()
    base = re.search(r"^FROM (\S+)$", text, re.M).group(1)
    assert base == f"rayproject/ray:{_pin('ray')}-py{_python().replace('.', '')}-cpu"
    assert re.search(r'^RUN pip install .*-c constraints\.txt -e "\.\[ray,s3\]"$', text, re.M)
    packages = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    for package in [p.rstrip("*") for p in packages["include"]] + ["mixes"]:  # mixes/: the named recipes
        assert re.search(rf"^COPY .* {package} \./{package}$", text, re.M), f"the image lacks {package}/"
