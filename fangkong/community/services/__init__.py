"""Write use cases of the community app, one module per domain. Each validates everything
first, then writes, audits and bumps its rollups in one transaction; status changes name their
allowed source states."""
