"""ops.testing's objects <-> the engine's JSON form (docs/STATE_JSON.md).

A first cut covering lifecycle, config, statuses, leadership, relations, stored state and
actions; the rest of the State raises NotImplementedError naming what is missing.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ops import testing

JSON = dict[str, Any]


def context_json(ctx: testing.Context[Any]) -> JSON:
    app_name = getattr(ctx, 'app_name', None) or getattr(ctx, '_app_name', None)
    unit_id = getattr(ctx, 'unit_id', getattr(ctx, '_unit_id', 0))
    return {
        'app_name': app_name or None,
        'unit_id': unit_id or 0,
        'juju_version': ctx.juju_version,
        'app_trusted': ctx.app_trusted,
        'machine_id': getattr(ctx, '_machine_id', None),
        'availability_zone': getattr(ctx, '_availability_zone', None),
        'principal_unit': getattr(ctx, '_principal_unit', None),
        'capture_deferred_events': ctx.capture_deferred_events,
        'capture_framework_events': ctx.capture_framework_events,
    }


def event_json(event: Any, state: testing.State) -> JSON:
    out: JSON = {'name': event.name}
    if event.relation is not None:
        out['relation_id'] = event.relation.id
        if event.relation_remote_unit_id is not None:
            out['remote_unit'] = event.relation_remote_unit_id
        if event.relation_departed_unit_id is not None:
            out['departing_unit'] = event.relation_departed_unit_id
    if event.action is not None:
        action = event.action
        out['name'] = f'{action.name.replace("-", "_")}_action'
        out['action'] = {'name': action.name, 'params': dict(action.params), 'id': action.id}
    for unsupported in ('secret', 'container', 'storage', 'custom_event'):
        if getattr(event, unsupported, None) is not None:
            raise NotImplementedError(f'ops_scenario_rs does not convert {unsupported} events yet')
    return out


def _status(status: Any) -> JSON:
    return {'name': status.name, 'message': status.message}


def _relation(r: Any) -> JSON:
    common: JSON = {
        'endpoint': r.endpoint,
        'id': r.id,
        'local_app_data': dict(r.local_app_data),
        'local_unit_data': dict(r.local_unit_data),
    }
    if r.interface is not None:
        common['interface'] = r.interface
    if isinstance(r, testing.PeerRelation):
        return {'type': 'peer', **common, 'peers_data': {str(k): dict(v) for k, v in r.peers_data.items()}}
    if isinstance(r, testing.SubordinateRelation):
        return {
            'type': 'subordinate', **common, 'remote_app_name': r.remote_app_name,
            'remote_app_data': dict(r.remote_app_data), 'remote_unit_id': r.remote_unit_id,
            'remote_unit_data': dict(r.remote_unit_data),
        }
    return {
        'type': 'regular', **common, 'remote_app_name': r.remote_app_name, 'limit': r.limit,
        'remote_app_data': dict(r.remote_app_data),
        'remote_units_data': {str(k): dict(v) for k, v in r.remote_units_data.items()},
    }


def state_json(state: testing.State, ctx: testing.Context[Any]) -> JSON:
    for field in ('containers', 'secrets', 'storages', 'opened_ports', 'resources', 'networks', 'deferred'):
        if getattr(state, field, None):
            raise NotImplementedError(f'ops_scenario_rs does not convert State.{field} yet')
    return {
        'config': dict(state.config),
        'leader': state.leader,
        'unit_status': _status(state.unit_status),
        'app_status': _status(state.app_status),
        'workload_version': state.workload_version,
        'planned_units': state.planned_units,
        'model': {'name': state.model.name, 'uuid': state.model.uuid, 'type': state.model.type},
        'relations': [_relation(r) for r in state.relations],
        'stored_states': [
            {'owner_path': s.owner_path, 'name': s.name, 'content': dict(s.content)}
            for s in state.stored_states
        ],
    }


_STATUSES: dict[str, Any] = {
    'active': testing.ActiveStatus,
    'blocked': testing.BlockedStatus,
    'maintenance': testing.MaintenanceStatus,
    'waiting': testing.WaitingStatus,
    'error': testing.ErrorStatus,
}


def _status_from(value: JSON) -> Any:
    if value['name'] == 'unknown':
        return testing.UnknownStatus()
    return _STATUSES[value['name']](value['message'])


def state_from_json(out: JSON, state_in: testing.State, ctx: testing.Context[Any]) -> testing.State:
    relations = []
    by_id = {r['id']: r for r in out['relations']}
    for r in state_in.relations:
        data = by_id[r.id]
        changes: JSON = {
            'local_app_data': data['local_app_data'],
            'local_unit_data': data['local_unit_data'],
        }
        relations.append(dataclasses.replace(r, **changes))
    stored = [
        testing.StoredState(name=s['name'], owner_path=s['owner_path'], content=s['content'])
        for s in out['stored_states']
    ]
    return dataclasses.replace(
        state_in,
        config=out['config'],
        leader=out['leader'],
        unit_status=_status_from(out['unit_status']),
        app_status=_status_from(out['app_status']),
        workload_version=out['workload_version'],
        relations=frozenset(relations) if isinstance(state_in.relations, frozenset) else relations,
        stored_states=frozenset(stored) if isinstance(state_in.stored_states, frozenset) else stored,
    )


def apply_output(out: JSON, ctx: testing.Context[Any]) -> None:
    ctx.unit_status_history.extend(_status_from(s) for s in out['unit_status_history'])
    ctx.app_status_history.extend(_status_from(s) for s in out['app_status_history'])
    ctx.workload_version_history.extend(out['workload_version_history'])
    ctx.juju_log.extend(testing.JujuLogLine(line['level'], line['message']) for line in out['juju_log'])
    if out['action_results'] is not None:
        ctx.action_results = out['action_results']
    ctx.action_logs.extend(out['action_logs'])
    ctx._action_failure_message = out['action_failure']
    ctx.removed_secret_revisions.extend(out['removed_secret_revisions'])
    for name, count in out['requested_storages'].items():
        ctx.requested_storages[name] = ctx.requested_storages.get(name, 0) + count
