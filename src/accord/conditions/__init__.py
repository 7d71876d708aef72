"""Incentive phases driven by compliance and deadlines: sanctions relief, aid, assets, snap-back."""
