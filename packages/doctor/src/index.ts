export { PART_IDS, type PartId, type PartReport, type PartState } from './part.js';
export {
  runDoctor,
  summarize,
  formatReport,
  SETUP_GPU_COMMAND,
  type DoctorReport,
  type DoctorOptions,
} from './doctor.js';
export {
  electronBinaryStatus,
  findElectronPackage,
  electronPlatformPath,
  type ElectronBinaryStatus,
  type ElectronPackage,
} from './electron/electron-package.js';
export {
  installElectron,
  installerReason,
  ELECTRON_INSTALL_TIMEOUT_MS,
  SETUP_DESKTOP_COMMAND,
  type InstallElectronOptions,
  type InstallElectronResult,
} from './electron/install-electron.js';
export { verifyElectron, type ElectronCheck } from './electron/verify-electron.js';
export { setupGpu, type SetupGpuResult, type SetupGpuOptions } from './gpu-setup.js';
