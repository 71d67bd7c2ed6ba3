import { GATE_PASSES } from "./scenarios.js";

/** Puts the `gate` scenario's passes in the gateway's registry over its API (admin login). */
export async function registerPasses(
  apiUrl: string,
  adminPassword: string,
  print: (line: string) => void,
): Promise<void> {
  const login = await fetch(`${apiUrl}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "admin", password: adminPassword }),
  });
  if (!login.ok) throw new Error(`admin login at ${apiUrl} failed: ${login.status}`);
  const { token } = (await login.json()) as { token: string };
  for (const pass of GATE_PASSES) {
    const observation =
      pass.observation_days > 0
        ? new Date(Date.now() + pass.observation_days * 86_400_000).toISOString()
        : null;
    const response = await fetch(`${apiUrl}/api/passes`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({
        pass_id: pass.pass_id,
        holder_name: pass.holder_name,
        unit: pass.unit,
        status: pass.status,
        observation_until: observation,
      }),
    });
    if (response.status === 201)
      print(
        `registered pass ${pass.pass_id} (${pass.status}${observation ? ", home observation" : ""})`,
      );
    else if (response.status !== 409)
      throw new Error(
        `registering ${pass.pass_id} failed: ${response.status} ${await response.text()}`,
      );
  }
}
