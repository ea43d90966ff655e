"""Every flow as a Prefect deployment, for the two ways of running them.

- `zi serve` (one machine): one process serves every deployment; the weekly monitoring runs on
  its cron over every instansi in turn.
- `zi deploy` + `zi worker` (many machines): the deployments are registered to a process work
  pool, and any number of workers run them. The weekly cron is then on the national run
  (`flows.national_monitor`), which hands each instansi period to the monitoring deployment, so
  the workers share it; the proposals of a period are handed out one unit a run likewise
  (`flows.propose_pending`). Both fan-outs have a concurrency limit held by the server.

In both, the period's proposals are triggered by the monitoring's `zi.period.proposals-pending`,
and the other stages run on demand.
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
PROPOSE_PENDING_DEPLOYMENT = "usulan-tpn-periode"
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
        *_proposals(pool),
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


def _proposals(pool: WorkPool | None) -> list[RunnerDeployment]:
    """The proposal of one unit (on demand, and the period's fan-out), and the period's pending
    proposals, triggered by the monitoring's one event a period."""
    from prefect.events import DeploymentEventTrigger

    from flows.propose import propose
    from flows.propose_pending import PROPOSALS_PENDING, propose_pending

    trigger = DeploymentEventTrigger(
        name="usulkan-unit-yang-memenuhi-batas-nilai",
        description=(
            f"Peristiwa `{PROPOSALS_PENDING}` dari pemantauan TPI membuka usulan ke TPN untuk "
            "setiap unit periode itu yang memenuhi batas nilai dan belum diusulkan."
        ),
        expect={PROPOSALS_PENDING},
        match={"prefect.resource.id": "zi.period.*"},
        parameters={
            "period": "{{ event.payload.period_id }}",
            "as_of": "{{ event.payload.as_of }}",
        },
    )
    return [
        _deployment(
            propose_pending,
            pool,
            name=PROPOSE_PENDING_DEPLOYMENT,
            triggers=[trigger],
            description=(
                "Usulan ke TPN satu periode penilaian: satu run "
                f"`{PROPOSE_DEPLOYMENT}` per unit yang menunggu usulannya, lalu surat usulan "
                f"instansi; dipicu oleh peristiwa `{PROPOSALS_PENDING}`."
            ),
        ),
        _deployment(
            propose,
            pool,
            name=PROPOSE_DEPLOYMENT,
            concurrency_limit=None if pool is None else pool.propose_concurrency,
            description=(
                "Pengusulan satu unit ke TPN: unit yang memenuhi batas nilai dan prasyarat "
                "menjadi diusulkan, dengan paketnya. Dijalankan oleh "
                f"`{PROPOSE_PENDING_DEPLOYMENT}`, atau sesuai permintaan."
            ),
        ),
    ]


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
