import type { Project } from '@swiftcloud/contracts';
import { useQuery } from '@tanstack/react-query';
import { useOutletContext } from 'react-router';
import { useApi } from '../../session';

export function useProjectQuery(projectId: string | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: ['projects', projectId],
    queryFn: async () => (await api.projects.get(projectId!)).data,
    enabled: projectId !== undefined,
  });
}

/** The project of the page, from ProjectRoutes. */
export function useProject(): Project {
  return useOutletContext<Project>();
}
