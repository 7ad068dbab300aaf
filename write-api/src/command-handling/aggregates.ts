import {
  decideReport,
  decideSeries,
  decideUser,
  decideUsernameClaim,
  evolveReport,
  evolveSeries,
  evolveUser,
  evolveUsernameClaim,
  initialReportState,
  initialSeriesState,
  initialUsernameClaimState,
  initialUserState,
} from '@nationpulse/domain';

export const userAggregate = { initial: initialUserState, evolve: evolveUser, decide: decideUser };
export const usernameClaimAggregate = { initial: initialUsernameClaimState, evolve: evolveUsernameClaim, decide: decideUsernameClaim };
export const seriesAggregate = { initial: initialSeriesState, evolve: evolveSeries, decide: decideSeries };
export const reportAggregate = { initial: initialReportState, evolve: evolveReport, decide: decideReport };
