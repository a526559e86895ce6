import { defineConfig } from "drizzle-kit";

// Generation is offline (no credentials): `npm run db:generate -- --name <change>`, then commit db/migrations.
export default defineConfig({
  dialect: "postgresql",
  schema: "./db/schema.ts",
  out: "./db/migrations",
  strict: true,
  verbose: true,
});
