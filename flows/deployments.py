"""Every flow as a Prefect deployment, for the two ways of running them.

- `zi serve` (one machine): one process serves every deployment; the weekly monitoring runs on
  its cron over every instansi in turn.
- `zi deploy` + `zi worker` (many machines): the deployments are registered to a process work
  pool, and any number of workers run them. The weekly cron is then on the national run
  (`flows.national_monitor`), which hands each instansi period to the monitoring deployment, so
  the workers share it; the proposals its crossings announce are built by whichever worker is
  free. Both fan-outs have a concurrency limit held by the server.

In both, the proposal deployment is triggered by `zi.unit.threshold-met`, and the other stages
run on demand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from config.settings import Settings

if TYPE_CHECKING:
    from prefect import Flow
    from prefect.deployments.runner import RunnerDeployment

MONITOR_DEPLOYMENT = "pemantauan-mingguan"
NATIONAL_MONITOR_DEPLOYMENT = "pemantauan-nasional-mingguan"
PROPOSE_DEPLOYMENT = "usulan-tpn"
REMINDER_DEPLOYMENT = "pengingat-harian"
DECLARE_DEPLOYMENT = "catat-pencanangan"
DESIGNATE_DEPLOYMENT = "catat-penetapan"
DEVELOP_DEPLOYMENT = "mulai-pembangunan"
INBOX_DEPLOYMENT = "penerimaan-lke-15-menit"
INBOX_CRON = "*/15 * * * *"
TAGS = ["zona-integritas"]
ON_DEMAND = "Dijalankan sesuai permintaan (UI Prefect, `prefect deployment run` atau API)."


@dataclass(frozen=True)
class WorkPool:
    """Where `zi deploy` registers the deployments, and how many runs of each fan-out at once."""

    name: str
    monitor_concurrency: int
    propose_concurrency: int


def deployments(settings: Settings, pool: WorkPool | None = None) -> list[RunnerDeployment]:
    """The deployments served by `zi serve` (`pool` None) or registered to `pool`."""
    from prefect.schedules import Cron

    from flows.declare import declare
    from flows.designate import designate
    from flows.develop import develop
    from flows.inbox import receive_workbooks
    from flows.monitor import monitor
    from flows.national_monitor import monitor_nationally
    from flows.reminders import send_reminders
    from flows.submit import submit
    from flows.tpn_result import tpn_result

    weekly = [Cron(settings.monitor_cron, timezone=settings.timezone)]
    on_demand_flows: list[tuple[Flow[..., Any], str, str]] = [
        (declare, DECLARE_DEPLOYMENT, "Pencanangan ZI instansi untuk satu tahun."),
        (designate, DESIGNATE_DEPLOYMENT, "Penetapan unit kerja calon dengan satu SK."),
        (develop, DEVELOP_DEPLOYMENT, "Pembangunan: rencana kerja unit yang ditetapkan."),
        (submit, "kirim-usulan", "Surat usulan yang ditandatangani dikirim ke TPN."),
        (tpn_result, "catat-hasil-tpn", "Hasil TPN satu unit (tahap, anugerah, penolakan)."),
    ]
    made = [
        _monitoring(monitor, settings, pool, weekly),
        _deployment(
            send_reminders,
            pool,
            name=REMINDER_DEPLOYMENT,
            schedules=[Cron(settings.reminder_cron, timezone=settings.timezone)],
            description=(
                "Pengingat batas waktu dan ringkasan mingguan lewat e-mail, masing-masing "
                f"sekali (jadwal `{settings.reminder_cron}`, zona waktu {settings.timezone})."
            ),
        ),
        _deployment(
            receive_workbooks,
            pool,
            name=INBOX_DEPLOYMENT,
            schedules=[Cron(INBOX_CRON, timezone=settings.timezone)],
            description=(
                "Penerimaan LKE: buku kerja yang diletakkan di kotak masuk "
                f"({settings.inbox}) diimpor, dipindah ke diterima/ atau ditolak/, dan "
                "tim unit diberi tahu lewat e-mail (tiap 15 menit)."
            ),
        ),
        _proposal(pool),
        *(
            _deployment(flow, pool, name=name, description=f"{what} {ON_DEMAND}")
            for flow, name, what in on_demand_flows
        ),
    ]
    if pool is not None:
        made.append(
            _deployment(
                monitor_nationally,
                pool,
                name=NATIONAL_MONITOR_DEPLOYMENT,
                schedules=weekly,
                description=(
                    "Pemantauan TPI nasional mingguan: satu run `pemantauan-mingguan` per "
                    f"instansi dan periode aktif, paling banyak {pool.monitor_concurrency} "
                    f"sekaligus, dibagi di antara worker (jadwal `{settings.monitor_cron}`, "
                    f"zona waktu {settings.timezone})."
                ),
            )
        )
    return made


def _monitoring(
    monitor: Flow[..., Any], settings: Settings, pool: WorkPool | None, weekly: list[Any]
) -> RunnerDeployment:
    """On one machine the monitoring has the weekly schedule; on a work pool the national run
    has it and runs this deployment once per instansi and period, a few at a time."""
    if pool is None:
        return _deployment(
            monitor,
            pool,
            name=MONITOR_DEPLOYMENT,
            schedules=weekly,
            # With a server, the trigger of usulan-tpn opens the proposal, not the monitor.
            parameters={"propose_directly": False},
            description=(
                "Pemantauan TPI mingguan: menilai semua unit kerja pada periode penilaian "
                "aktif, menulis laporan, dan mengumumkan unit yang baru memenuhi batas nilai "
                f"(jadwal `{settings.monitor_cron}`, zona waktu {settings.timezone})."
            ),
        )
    return _deployment(
        monitor,
        pool,
        name=MONITOR_DEPLOYMENT,
        parameters={"propose_directly": False},
        concurrency_limit=pool.monitor_concurrency,
        description=(
            "Pemantauan TPI satu instansi dan periode: menilai unit kerjanya, menulis laporan, "
            "dan mengumumkan unit yang baru memenuhi batas nilai. Dijalankan setiap minggu oleh "
            f"`{NATIONAL_MONITOR_DEPLOYMENT}`, atau sesuai permintaan."
        ),
    )


def _proposal(pool: WorkPool | None) -> RunnerDeployment:
    from prefect.events import DeploymentEventTrigger

    from flows.propose import THRESHOLD_MET, propose

    trigger = DeploymentEventTrigger(
        name="usulkan-unit-yang-memenuhi-batas-nilai",
        description=(
            f"Setiap peristiwa `{THRESHOLD_MET}` dari pemantauan TPI membuka usulan unit "
            "tersebut ke TPN."
        ),
        expect={THRESHOLD_MET},
        match={"prefect.resource.id": "zi.unit.*"},
        parameters={
            "unit_id": "{{ event.payload.unit_id }}",
            "predicate": "{{ event.payload.predicate }}",
            "as_of": "{{ event.payload.as_of }}",
        },
    )
    return _deployment(
        propose,
        pool,
        name=PROPOSE_DEPLOYMENT,
        triggers=[trigger],
        concurrency_limit=None if pool is None else pool.propose_concurrency,
        description=(
            "Pengusulan ke TPN: unit yang memenuhi batas nilai dan prasyarat menjadi "
            f"diusulkan; dipicu oleh peristiwa `{THRESHOLD_MET}`."
        ),
    )


def _deployment(flow: Flow[..., Any], pool: WorkPool | None, **options: Any) -> RunnerDeployment:
    """A deployment of `flow`. For a work pool its entrypoint is the module path
    (`flows.monitor.monitor`), so a worker runs the flow from the product installed on its own
    machine: no code is uploaded anywhere."""
    from prefect.deployments.runner import RunnerDeployment
    from prefect.types.entrypoint import EntrypointType

    if pool is not None:
        options |= {"entrypoint_type": EntrypointType.MODULE_PATH, "work_pool_name": pool.name}
    made = flow.to_deployment(tags=TAGS, **options)
    # `to_deployment` is sync-compatible (typed as maybe a coroutine); called from sync code it
    # returns the deployment itself.
    if not isinstance(made, RunnerDeployment):
        raise TypeError(f"expected a RunnerDeployment, got {type(made).__name__}")
    return made
