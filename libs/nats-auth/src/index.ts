export {
  AuthorizationConfigError,
  renderAuthorization,
  renderTls,
  type AuthorizationInput,
  type HostNkey,
  type ServiceNkey,
  type TlsInput,
} from './authorization-config.js';
export {
  generateNkey,
  isUserPublicNkey,
  nkeyPaths,
  publicKeyOfSeedFile,
  readNkeyDirectory,
  registerPublicNkey,
  type NkeyDirectory,
  type NkeyPrincipal,
} from './nkey-files.js';
export {
  SERVICE_ROLES,
  agentPermissions,
  inboxOf,
  isServiceRole,
  servicePermissions,
  type ServiceRole,
  type SubjectPermissions,
} from './permissions.js';
