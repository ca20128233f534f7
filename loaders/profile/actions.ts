import type { FeatureProfile } from "./profile.ts";

/** What to do with each RFM segment: the usual playbook for the named RFM segments. */
const RFM_ACTIONS: Record<string, string> = {
  Champions: "Reward them: early access, loyalty perks; ask for reviews and referrals.",
  "Loyal Customers": "Upsell higher-value products; keep them in the loyalty programme.",
  "Potential Loyalists": "Offer membership or a loyalty programme; recommend related products.",
  "New Customers": "Onboard well: welcome series, first-repeat incentive.",
  Promising: "Build the habit: targeted offers on what they bought, free-shipping thresholds.",
  "Need Attention": "Limited-time offers based on past purchases to reactivate them.",
  "About To Sleep": "Re-engage with popular products and a time-limited discount.",
  "At Risk": "Win them back: personalised reactivation e-mails and offers.",
  "Can't Lose Them": "Win back at any reasonable cost: personal contact, strong offers, new releases.",
  Hibernating: "Low-cost reactivation: relevant products, special discounts; otherwise let go.",
  Lost: "Revive with a broad campaign only if cheap; otherwise exclude from spend.",
  // Names by frequency and value alone (a log too short for recency).
  "Top Customers": "Protect them: personal service, loyalty perks, early access; watch whether they come back.",
  "High Value": "Upsell and cross-sell; invite them to the loyalty programme.",
  "Mid Value": "Recommend related products to raise basket size and frequency.",
  "Low Value": "Low-cost nudges: bundles and free-shipping thresholds.",
  "Lowest Value": "Keep contact cheap: newsletters only, until they buy again."
};

/**
 * A suggested action for a segment. With an RFM name: the playbook above. Otherwise from its
 * profile alone (the workbench cannot know which columns are spend): the mean standardized
 * difference over the features tells high- from low-value segments, and the feature it stands
 * out on most says where to aim.
 */
export function suggestAction(profile: FeatureProfile[], rfmName: string | null): string {
  if (rfmName && RFM_ACTIONS[rfmName]) return RFM_ACTIONS[rfmName];
  const level = profile.reduce((s, f) => s + f.z, 0) / Math.max(1, profile.length);
  const top = [...profile].sort((a, b) => Math.abs(b.z) - Math.abs(a.z))[0];
  const standsOut = top && Math.abs(top.z) >= 0.25 ? `; stands out on ${top.feature} (${top.z > 0 ? "above" : "below"} average)` : "";
  if (level > 0.5) return `High value: protect and reward them with a loyalty offer and account management${standsOut}.`;
  if (level < -0.5) return `Low engagement: re-engagement campaign with an entry-level offer${standsOut}.`;
  return `Mid value: cross-sell and upsell to move them up${standsOut}.`;
}

export { RFM_ACTIONS };
