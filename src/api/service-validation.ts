// Service validation as the API server does it (pkg/apis/core/validation/validation.go
// ValidateService / ValidateServiceUpdate / ValidateServiceStatusUpdate, Kubernetes 1.32): the same
// checks, field paths and words, all errors collected at once. The input is a defaulted Service
// (service-defaults.ts). Range checks of nodePorts and clusterIPs against the configured ranges
// belong to the allocators, as in the real server.
import type { Service } from 'kubernetes-types/core/v1.js';
import {
  duplicate,
  type FieldError,
  FieldPath,
  forbidden,
  invalid,
  notSupported,
  required,
} from './field-errors.ts';
import { arr, num, obj, objs, str, type Obj } from './loose-read.ts';
import {
  isDNS1123Label,
  isDNS1123Subdomain,
  isIP,
  isValidPortName,
  isValidPortNum,
  nameIsDNS1035Label,
} from './names.ts';
import { validateLabels, validateObjectMeta, validateObjectMetaUpdate } from './validation.ts';

type Errs = FieldError[];

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const AFFINITIES = ['ClientIP', 'None'];
const IP_FAMILIES = ['IPv4', 'IPv6'];
const IP_FAMILY_POLICIES = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
const TRAFFIC_POLICIES = ['Cluster', 'Local'];
const KUBELET_PORT = 10250;
const VALID_IP_MESSAGE = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';
const MAX_CLIENT_IP_TIMEOUT = 86400;

const isIPv6 = (ip: string): boolean => ip.includes(':');

/** ValidatePortNumOrName: a number in 1-65535 or an IANA service name. */
export function validatePortNumOrName(port: unknown, path: FieldPath): Errs {
  if (typeof port === 'number') return isValidPortNum(port).map((m) => invalid(path, port, m));
  if (typeof port === 'string') return isValidPortName(port).map((m) => invalid(path, port, m));
  return [];
}

/** validateNonSpecialIP: no unspecified, loopback, link-local or multicast addresses. */
export function validateNonSpecialIP(ip: string, path: FieldPath): Errs {
  const v4 = /^(\d+)\.(\d+)\.(\d+)\.\d+$/.exec(ip);
  const a = Number(v4?.[1] ?? -1);
  const b = Number(v4?.[2] ?? -1);
  const c = Number(v4?.[3] ?? -1);
  const lower = ip.toLowerCase();
  if (ip === '0.0.0.0' || lower === '::') return [invalid(path, ip, `may not be unspecified (${ip})`)];
  if (a === 127 || lower === '::1')
    return [invalid(path, ip, 'may not be in the loopback range (127.0.0.0/8, ::1/128)')];
  if ((a === 169 && b === 254) || lower.startsWith('fe80:'))
    return [invalid(path, ip, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)')];
  if ((a === 224 && b === 0 && c === 0) || lower.startsWith('ff02:'))
    return [invalid(path, ip, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)')];
  return [];
}

function validateServicePort(sp: Obj, requireName: boolean, names: Set<string>, path: FieldPath): Errs {
  const errs: Errs = [];
  const name = str(sp.name);
  if (requireName && name === '') errs.push(required(path.child('name')));
  else if (name !== '') {
    errs.push(...isDNS1123Label(name).map((m) => invalid(path.child('name'), name, m)));
    if (names.has(name)) errs.push(duplicate(path.child('name'), name));
    else names.add(name);
  }
  const port = num(sp.port) ?? 0;
  errs.push(...isValidPortNum(port).map((m) => invalid(path.child('port'), port, m)));
  const protocol = str(sp.protocol);
  if (protocol === '') errs.push(required(path.child('protocol')));
  else if (!PROTOCOLS.includes(protocol))
    errs.push(notSupported(path.child('protocol'), protocol, PROTOCOLS));
  errs.push(...validatePortNumOrName(sp.targetPort, path.child('targetPort')));
  return errs;
}

function validateClientIPAffinityConfig(config: Obj | undefined, path: FieldPath): Errs {
  if (config === undefined) return [required(path, 'when session affinity type is ClientIP')];
  const clientIP = obj(config.clientIP);
  if (clientIP === undefined)
    return [required(path.child('clientIP'), 'when session affinity type is ClientIP')];
  const timeout = num(clientIP.timeoutSeconds);
  if (timeout === undefined)
    return [
      required(path.child('clientIP').child('timeoutSeconds'), 'when session affinity type is ClientIP'),
    ];
  if (timeout <= 0 || timeout > MAX_CLIENT_IP_TIMEOUT) {
    return [
      invalid(
        path.child('clientIP').child('timeoutSeconds'),
        timeout,
        `must be greater than 0 and less than ${MAX_CLIENT_IP_TIMEOUT}s`,
      ),
    ];
  }
  return [];
}

/** validateServiceClusterIPsRelatedFields. */
function validateClusterIPsRelated(spec: Obj): Errs {
  const errs: Errs = [];
  const ipsPath = FieldPath.of('spec', 'clusterIPs');
  const clusterIP = str(spec.clusterIP);
  const clusterIPs = arr(spec.clusterIPs).map(str);
  if (clusterIP !== '') {
    if (clusterIPs.length === 0) errs.push(required(ipsPath));
    else if (clusterIPs[0] !== clusterIP)
      errs.push(invalid(ipsPath, clusterIPs, 'first value must match `clusterIP`'));
  } else if (clusterIPs.length > 0) {
    errs.push(invalid(ipsPath, clusterIPs, 'must be empty when `clusterIP` is not specified'));
  }
  const families = arr(spec.ipFamilies).map(str);
  const seen = new Set<string>();
  families.forEach((f, i) => {
    const p = FieldPath.of('spec', 'ipFamilies').index(i);
    if (!IP_FAMILIES.includes(f)) errs.push(notSupported(p, f, IP_FAMILIES));
    if (seen.has(f)) errs.push(duplicate(p, f));
    seen.add(f);
  });
  if (spec.ipFamilyPolicy !== undefined && spec.ipFamilyPolicy !== null) {
    const policy = str(spec.ipFamilyPolicy);
    if (!IP_FAMILY_POLICIES.includes(policy))
      errs.push(notSupported(FieldPath.of('spec', 'ipFamilyPolicy'), policy, IP_FAMILY_POLICIES));
  }
  let badIPs = false;
  clusterIPs.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (clusterIPs.length > 1) {
        badIPs = true;
        errs.push(invalid(ipsPath, clusterIPs, "'None' must be the first and only value"));
      }
      return;
    }
    if (!isIP(ip)) {
      badIPs = true;
      errs.push(invalid(ipsPath.index(i), ip, VALID_IP_MESSAGE));
    }
  });
  if (clusterIPs.length > 2) errs.push(invalid(ipsPath, clusterIPs, 'may only hold up to 2 values'));
  if (badIPs) return errs;
  if (clusterIPs.length > 1) {
    const dual = clusterIPs.length === 2 && isIPv6(clusterIPs[0] ?? '') !== isIPv6(clusterIPs[1] ?? '');
    if (!dual) errs.push(invalid(ipsPath, clusterIPs, 'may specify no more than one IP for each IP family'));
  }
  if (clusterIP !== 'None' && clusterIPs.length > 0 && families.length > 0) {
    clusterIPs.forEach((ip, i) => {
      const family = families[i];
      if (family === 'IPv4' && isIPv6(ip))
        errs.push(
          invalid(ipsPath.index(i), ip, `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``),
        );
      if (family === 'IPv6' && !isIPv6(ip))
        errs.push(
          invalid(ipsPath.index(i), ip, `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``),
        );
    });
  }
  return errs;
}

/** ValidateService: a new or updated Service after defaulting. */
export function validateService(service: Service): FieldError[] {
  const svc = service as unknown as Obj;
  const errs = validateObjectMeta(svc.metadata, true, nameIsDNS1035Label);
  const spec = obj(svc.spec) ?? {};
  const specPath = FieldPath.of('spec');
  const type = str(spec.type);
  const clusterIP = str(spec.clusterIP);
  const headless = clusterIP === 'None';
  const ports = objs(spec.ports);
  if (ports.length === 0 && !headless && type !== 'ExternalName')
    errs.push(required(specPath.child('ports')));
  const firstIPPath = specPath.child('clusterIPs').index(0);
  switch (type) {
    case 'LoadBalancer':
      ports.forEach((p, i) => {
        if (num(p.port) === KUBELET_PORT) {
          errs.push(
            invalid(
              specPath.child('ports').index(i),
              KUBELET_PORT,
              `may not expose port ${KUBELET_PORT} externally since it is used by kubelet`,
            ),
          );
        }
      });
      if (headless)
        errs.push(invalid(firstIPPath, 'None', "may not be set to 'None' for LoadBalancer services"));
      break;
    case 'NodePort':
      if (headless) errs.push(invalid(firstIPPath, 'None', "may not be set to 'None' for NodePort services"));
      break;
    case 'ExternalName': {
      if (arr(spec.clusterIPs).length > 0)
        errs.push(forbidden(specPath.child('clusterIPs'), 'may not be set for ExternalName services'));
      if (arr(spec.ipFamilies).length > 0)
        errs.push(forbidden(specPath.child('ipFamilies'), 'may not be set for ExternalName services'));
      if (spec.ipFamilyPolicy !== undefined && spec.ipFamilyPolicy !== null)
        errs.push(forbidden(specPath.child('ipFamilyPolicy'), 'may not be set for ExternalName services'));
      // A trailing dot (an absolute name) is allowed.
      const name = str(spec.externalName).replace(/\.$/, '');
      if (name !== '')
        errs.push(...isDNS1123Subdomain(name).map((m) => invalid(specPath.child('externalName'), name, m)));
      else errs.push(required(specPath.child('externalName')));
      break;
    }
  }
  const names = new Set<string>();
  ports.forEach((p, i) => {
    errs.push(...validateServicePort(p, ports.length > 1, names, specPath.child('ports').index(i)));
  });
  if (spec.selector !== undefined && spec.selector !== null)
    errs.push(...validateLabels(spec.selector, specPath.child('selector')));
  const affinity = str(spec.sessionAffinity);
  if (affinity === '') errs.push(required(specPath.child('sessionAffinity')));
  else if (!AFFINITIES.includes(affinity))
    errs.push(notSupported(specPath.child('sessionAffinity'), affinity, AFFINITIES));
  if (affinity === 'ClientIP') {
    errs.push(
      ...validateClientIPAffinityConfig(
        obj(spec.sessionAffinityConfig),
        specPath.child('sessionAffinityConfig'),
      ),
    );
  } else if (affinity === 'None' && obj(spec.sessionAffinityConfig) !== undefined) {
    errs.push(
      forbidden(specPath.child('sessionAffinityConfig'), 'must not be set when session affinity is None'),
    );
  }
  arr(spec.externalIPs)
    .map(str)
    .forEach((ip, i) => {
      const p = specPath.child('externalIPs').index(i);
      if (!isIP(ip)) errs.push(invalid(p, ip, VALID_IP_MESSAGE));
      else errs.push(...validateNonSpecialIP(ip, p));
    });
  if (type === '') errs.push(required(specPath.child('type')));
  else if (!SERVICE_TYPES.includes(type))
    errs.push(notSupported(specPath.child('type'), type, SERVICE_TYPES));
  if (type === 'ClusterIP') {
    ports.forEach((p, i) => {
      if ((num(p.nodePort) ?? 0) !== 0) {
        errs.push(
          forbidden(
            specPath.child('ports').index(i).child('nodePort'),
            "may not be used when `type` is 'ClusterIP'",
          ),
        );
      }
    });
  }
  // Duplicate nodePorts and ports, each counted per protocol.
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    const nodePort = num(p.nodePort) ?? 0;
    if (nodePort === 0) return;
    const key = `${str(p.protocol)}/${nodePort}`;
    if (nodePorts.has(key))
      errs.push(duplicate(specPath.child('ports').index(i).child('nodePort'), nodePort));
    nodePorts.add(key);
  });
  const seenPorts = new Set<string>();
  ports.forEach((p, i) => {
    const key = `${str(p.protocol)}/${num(p.port) ?? 0}`;
    if (seenPorts.has(key)) {
      errs.push(
        duplicate(specPath.child('ports').index(i), { protocol: str(p.protocol), port: num(p.port) ?? 0 }),
      );
    }
    seenPorts.add(key);
  });
  errs.push(...validateTrafficPolicies(spec, type));
  errs.push(...validateClusterIPsRelated(spec));
  return errs;
}

function validateTrafficPolicies(spec: Obj, type: string): Errs {
  const errs: Errs = [];
  const specPath = FieldPath.of('spec');
  const etp = str(spec.externalTrafficPolicy);
  const external = type === 'NodePort' || type === 'LoadBalancer' || arr(spec.externalIPs).length > 0;
  if (!external) {
    if (etp !== '')
      errs.push(
        invalid(
          specPath.child('externalTrafficPolicy'),
          etp,
          'may only be set for externally-accessible services',
        ),
      );
  } else if (etp === '') {
    if (type !== 'ClusterIP') errs.push(required(specPath.child('externalTrafficPolicy')));
  } else if (!TRAFFIC_POLICIES.includes(etp)) {
    errs.push(notSupported(specPath.child('externalTrafficPolicy'), etp, TRAFFIC_POLICIES));
  }
  const hc = num(spec.healthCheckNodePort) ?? 0;
  if (hc !== 0 && !(type === 'LoadBalancer' && etp === 'Local')) {
    errs.push(
      invalid(
        specPath.child('healthCheckNodePort'),
        hc,
        "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
      ),
    );
  }
  if (type !== 'ExternalName') {
    const itp = spec.internalTrafficPolicy;
    if (itp === undefined || itp === null) errs.push(required(specPath.child('internalTrafficPolicy')));
    else if (!TRAFFIC_POLICIES.includes(str(itp)))
      errs.push(notSupported(specPath.child('internalTrafficPolicy'), str(itp), TRAFFIC_POLICIES));
  }
  return errs;
}

/**
 * ValidateServiceUpdate: metadata identity, the primary clusterIP and IP family that may not
 * change once set (except to or from ExternalName), then everything ValidateService checks.
 */
export function validateServiceUpdate(service: Service, old: Service): FieldError[] {
  const errs = validateObjectMetaUpdate(service.metadata, old.metadata);
  const newType = service.spec?.type ?? '';
  const oldType = old.spec?.type ?? '';
  if (newType !== 'ExternalName' && oldType !== 'ExternalName') {
    const newIPs = service.spec?.clusterIPs ?? [];
    const oldIPs = old.spec?.clusterIPs ?? [];
    if (oldIPs.length > 0 && newIPs.length > 0 && newIPs[0] !== oldIPs[0]) {
      errs.push(invalid(FieldPath.of('spec', 'clusterIPs').index(0), newIPs, 'may not change once set'));
    }
    const newFamilies = service.spec?.ipFamilies ?? [];
    const oldFamilies = old.spec?.ipFamilies ?? [];
    if (oldFamilies.length > 0 && newFamilies.length > 0 && newFamilies[0] !== oldFamilies[0]) {
      errs.push(invalid(FieldPath.of('spec', 'ipFamilies').index(0), newFamilies, 'may not change once set'));
    }
  }
  errs.push(...validateService(service));
  return errs;
}

/** ValidateServiceStatusUpdate: metadata, and load balancer ingress addresses. */
export function validateServiceStatusUpdate(service: Service, old: Service): FieldError[] {
  const errs = validateObjectMetaUpdate(service.metadata, old.metadata);
  const ingress = objs(obj(obj((service as unknown as Obj).status)?.loadBalancer)?.ingress);
  ingress.forEach((ing, i) => {
    const p = FieldPath.of('status', 'loadBalancer', 'ingress').index(i);
    const ip = str(ing.ip);
    if (ip !== '' && !isIP(ip)) errs.push(invalid(p.child('ip'), ip, 'must be a valid IP address'));
    const hostname = str(ing.hostname);
    if (hostname !== '') {
      errs.push(...isDNS1123Subdomain(hostname).map((m) => invalid(p.child('hostname'), hostname, m)));
      if (isIP(hostname))
        errs.push(invalid(p.child('hostname'), hostname, 'must be a DNS name, not an IP address'));
    }
  });
  return errs;
}
