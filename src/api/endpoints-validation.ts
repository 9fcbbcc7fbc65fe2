// Endpoints (core/v1) and EndpointSlice (discovery.k8s.io/v1) defaulting and validation as the API
// server does them (core validation.go ValidateEndpoints, pkg/apis/discovery/validation, and the
// SetDefaults_EndpointPort of both groups; Kubernetes 1.32). The endpoints controller writes these
// objects through the store; these checks guard what users write through the API.
import type { Endpoints } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import {
  duplicate,
  type FieldError,
  FieldPath,
  invalid,
  notSupported,
  required,
  tooMany,
} from './field-errors.ts';
import { arr, objs, str, type Obj } from './loose-read.ts';
import {
  isDNS1123Label,
  isDNS1123Subdomain,
  isIP,
  isQualifiedName,
  isValidPortNum,
  nameIsDNSSubdomain,
} from './names.ts';
import { validateNonSpecialIP } from './service-validation.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './validation.ts';

type Errs = FieldError[];

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];
const VALID_IP_MESSAGE = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';

/** SetDefaults_EndpointPort (core): protocol TCP. */
export function applyEndpointsDefaults(endpoints: Endpoints): Endpoints {
  if (!endpoints.subsets) return endpoints;
  return {
    ...endpoints,
    subsets: endpoints.subsets.map((ss) =>
      ss.ports ? { ...ss, ports: ss.ports.map((p) => ({ ...p, protocol: p.protocol ?? 'TCP' })) } : ss,
    ),
  };
}

/** SetDefaults_EndpointPort (discovery): name "" and protocol TCP. */
export function applyEndpointSliceDefaults(slice: EndpointSlice): EndpointSlice {
  if (!slice.ports) return slice;
  return {
    ...slice,
    ports: slice.ports.map((p) => ({ ...p, name: p.name ?? '', protocol: p.protocol ?? 'TCP' })),
  };
}

function validatePortCommon(port: Obj, path: FieldPath): Errs {
  const errs: Errs = [];
  const protocol = str(port.protocol);
  if (port.protocol === undefined || port.protocol === null || protocol === '')
    errs.push(required(path.child('protocol')));
  else if (!PROTOCOLS.includes(protocol))
    errs.push(notSupported(path.child('protocol'), protocol, PROTOCOLS));
  if (typeof port.appProtocol === 'string') {
    errs.push(
      ...isQualifiedName(port.appProtocol).map((m) =>
        invalid(path.child('appProtocol'), port.appProtocol, m),
      ),
    );
  }
  return errs;
}

function validateEndpointAddress(address: Obj, path: FieldPath): Errs {
  const errs: Errs = [];
  const ip = str(address.ip);
  if (!isIP(ip)) errs.push(invalid(path.child('ip'), ip, VALID_IP_MESSAGE));
  const hostname = str(address.hostname);
  if (hostname !== '')
    errs.push(...isDNS1123Label(hostname).map((m) => invalid(path.child('hostname'), hostname, m)));
  if (typeof address.nodeName === 'string') {
    const node = address.nodeName;
    errs.push(...nameIsDNSSubdomain(node, false).map((m) => invalid(path.child('nodeName'), node, m)));
  }
  if (isIP(ip)) errs.push(...validateNonSpecialIP(ip, path.child('ip')));
  return errs;
}

export function validateEndpoints(endpoints: Endpoints): FieldError[] {
  const ep = endpoints as unknown as Obj;
  const errs = validateObjectMeta(ep.metadata, true, nameIsDNSSubdomain);
  objs(ep.subsets).forEach((ss, i) => {
    const p = FieldPath.of('subsets').index(i);
    const addresses = objs(ss.addresses);
    const notReady = objs(ss.notReadyAddresses);
    if (addresses.length === 0 && notReady.length === 0)
      errs.push(required(p, 'must specify `addresses` or `notReadyAddresses`'));
    addresses.forEach((a, j) => errs.push(...validateEndpointAddress(a, p.child('addresses').index(j))));
    notReady.forEach((a, j) =>
      errs.push(...validateEndpointAddress(a, p.child('notReadyAddresses').index(j))),
    );
    const ports = objs(ss.ports);
    ports.forEach((port, j) => {
      const pp = p.child('ports').index(j);
      const name = str(port.name);
      if (ports.length > 1 && name === '') errs.push(required(pp.child('name')));
      else if (name !== '') errs.push(...isDNS1123Label(name).map((m) => invalid(pp.child('name'), name, m)));
      const num = typeof port.port === 'number' ? port.port : 0;
      errs.push(...isValidPortNum(num).map((m) => invalid(pp.child('port'), num, m)));
      errs.push(...validatePortCommon(port, pp));
    });
  });
  return errs;
}

export function validateEndpointsUpdate(endpoints: Endpoints, old: Endpoints): FieldError[] {
  return [...validateObjectMetaUpdate(endpoints.metadata, old.metadata), ...validateEndpoints(endpoints)];
}

function validateSliceAddress(type: string, address: string, path: FieldPath): Errs {
  switch (type) {
    case 'IPv4':
      if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(address) || !isIP(address))
        return [invalid(path, address, 'must be a valid IPv4 address')];
      return validateNonSpecialIP(address, path);
    case 'IPv6':
      if (!address.includes(':') || !isIP(address))
        return [invalid(path, address, 'must be a valid IPv6 address')];
      return validateNonSpecialIP(address, path);
    case 'FQDN':
      return isDNS1123Subdomain(address).map((m) => invalid(path, address, m));
  }
  return [];
}

export function validateEndpointSlice(slice: EndpointSlice): FieldError[] {
  const s = slice as unknown as Obj;
  const errs = validateObjectMeta(s.metadata, true, nameIsDNSSubdomain);
  const type = str(s.addressType);
  if (type === '') errs.push(required(FieldPath.of('addressType')));
  else if (!ADDRESS_TYPES.includes(type))
    errs.push(notSupported(FieldPath.of('addressType'), type, ADDRESS_TYPES));
  const endpoints = objs(s.endpoints);
  if (endpoints.length > 1000) errs.push(tooMany(FieldPath.of('endpoints'), endpoints.length, 1000));
  endpoints.forEach((ep, i) => {
    const p = FieldPath.of('endpoints').index(i);
    const addresses = arr(ep.addresses).map(str);
    if (addresses.length === 0) errs.push(required(p.child('addresses'), 'must contain at least 1 address'));
    else if (addresses.length > 100) errs.push(tooMany(p.child('addresses'), addresses.length, 100));
    addresses.forEach((a, j) => errs.push(...validateSliceAddress(type, a, p.child('addresses').index(j))));
    if (typeof ep.nodeName === 'string') {
      const node = ep.nodeName;
      errs.push(...nameIsDNSSubdomain(node, false).map((m) => invalid(p.child('nodeName'), node, m)));
    }
    if (typeof ep.hostname === 'string') {
      const hostname = ep.hostname;
      errs.push(...isDNS1123Label(hostname).map((m) => invalid(p.child('hostname'), hostname, m)));
    }
  });
  const ports = objs(s.ports);
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const p = FieldPath.of('ports').index(i);
    const name = str(port.name);
    if (name !== '') errs.push(...isDNS1123Label(name).map((m) => invalid(p.child('name'), name, m)));
    if (names.has(name)) errs.push(duplicate(p.child('name'), name));
    else names.add(name);
    errs.push(...validatePortCommon(port, p));
  });
  return errs;
}

export function validateEndpointSliceUpdate(slice: EndpointSlice, old: EndpointSlice): FieldError[] {
  const errs = validateObjectMetaUpdate(slice.metadata, old.metadata);
  if (slice.addressType !== old.addressType)
    errs.push(invalid(FieldPath.of('addressType'), slice.addressType ?? '', 'field is immutable'));
  errs.push(...validateEndpointSlice(slice));
  return errs;
}
