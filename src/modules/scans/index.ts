// The scans module (seed 001): what the composition root wires.
export { scansMigrations } from './scans-migrations.js';
export {
  createScansModule,
  type ScansModule,
  type ScansModuleDeps,
  type ScansModuleSettings,
} from './scans-module.js';
export { loadIngredientCatalogue } from './ingredient-catalogue.js';
